"""Built-in starter catalogue (SCOPE-1, SCOPE-2).

SAMPLE DATA. Written from public knowledge of these services so the halls work out of the box; codes,
time limits and materials are illustrative. The city administrative approval bureau replaces this list with
its official 事项清单 (Excel import: `govhall catalog import FILE.xlsx`). Every sample matter's legal-basis
text ends with the marker below so it can be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govhall.orgs.models import Centre

from .models import (
    CaseType,
    CheckMethod,
    DeliveryMode,
    Matter,
    NoticeCategory,
    SpecialProcedure,
    TimeUnit,
)

SAMPLE_MARK = "（样例数据，以市行政审批局发布的正式事项清单为准）"
SAMPLE_REASON = "内置样例清单（待市行政审批局以正式清单替换）"

W, N, H = TimeUnit.WORKDAY, TimeUnit.NATURAL_DAY, TimeUnit.HOUR
IMM, PRO = CaseType.IMMEDIATE, CaseType.PROMISED
SOC, PUB, PRD, LIV, OTH = (NoticeCategory.SOCIAL_MANAGEMENT, NoticeCategory.PUBLIC_SERVICE,
                           NoticeCategory.PRODUCTION, NoticeCategory.LIVING, NoticeCategory.OTHER_AFFAIRS)
V_RELIEF, V_FP, V_JOB, V_MED, V_AGENCY = (NoticeCategory.V_RELIEF, NoticeCategory.V_FAMILY_PLANNING,
                                          NoticeCategory.V_EMPLOYMENT, NoticeCategory.V_MEDIATION,
                                          NoticeCategory.V_AGENCY)
# Window class by department (SITE-5); professional windows carry their department.
WINDOW_BY_DEPT = {
    "MZ": "minsheng", "CL": "minsheng", "WJ": "minsheng", "CZ": "minsheng",
    "ZJ": "jianshe", "CG": "jianshe", "ZRZY": "jianshe", "SPJ": "jianshe",
    "GS": "shizheng", "GD": "shizheng", "YX": "shizheng", "TX": "shizheng", "RQ": "shizheng",
    "GA": "professional", "SW": "professional", "RS": "professional", "YB": "professional",
    "GJJ": "professional", "SG": "professional",
    "NY": "qita", "SF": "qita", "TY": "qita",
}


def commitment(subject: str) -> str:
    """A 告知承诺书 text: the proof obligation, what is promised, and the liability for a false promise."""
    return (
        f"本人（本单位）已知晓：办理本事项须提供{subject}的证明。现自愿选择告知承诺方式，承诺：{subject}"
        "真实、准确、完整，符合本事项的办理条件；同意行政机关依法核查。如承诺不实，愿意承担由此产生的"
        "一切法律责任，接受终止办理或撤销决定的处理，并同意将虚假承诺行为记入本人（本单位）信用记录。"
    )


@dataclass
class M:
    name: str
    issuer: str = "申请人自备"
    originals: int = 1
    copies: int = 0
    required: bool = True
    rongque: bool = False
    commitment_of: str = ""  # when set, the material may be replaced by a commitment about this subject
    notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "issuer": self.issuer, "originals": self.originals, "copies": self.copies,
                "required": self.required, "rongque": self.rongque, "commitment": bool(self.commitment_of),
                "commitment_text": commitment(self.commitment_of) if self.commitment_of else "",
                "fill_notes": self.notes}


ID = M("申请人居民身份证", "公安机关", 1, 1)
HUKOU = M("居民户口簿", "公安机关", 1, 1)
PHOTO = M("近期一寸免冠彩色照片", originals=2, notes="白色背景，近6个月内拍摄")


@dataclass
class S:
    """One sample matter."""

    seq: int
    name: str
    dept: str
    mtype: str
    category: str
    basis: str
    materials: list[M]
    legal: int | None = 20
    legal_unit: str = W
    promised: int = 10
    promised_unit: str = W
    case_type: int = PRO
    levels: str = "5"
    delivery: str = DeliveryMode.EXTENDED
    steps: list[str] = field(default_factory=lambda: ["受理", "审核", "审批"])
    conditions: str = ""
    result: str = ""
    objects: str = "1"
    forms: str = "1,2"
    online: bool = True
    express: bool = False
    appointment: bool = True
    fee: str = ""  # fee basis; empty = free
    amount: str | None = None
    special: list[str] = field(default_factory=list)
    check: str = ""
    check_days: int | None = None
    rongque_days: int | None = None
    max_town_class: int | None = None
    visits: int = 1
    faq: str = ""

    @property
    def code(self) -> str:
        return f"320681{self.basic_code}{self.levels[-1]}"

    @property
    def basic_code(self) -> str:
        return f"{self.dept}{self.mtype}{self.seq:03d}"[:10]


TOWN: list[S] = [
    # --- 社会管理 ---------------------------------------------------------------------------------
    S(1, "居住证申领", "GA", "07", SOC, "《居住证暂行条例》第九条、第十条",
      [ID, PHOTO, M("居住地住址证明", copies=1, commitment_of="在本市合法稳定居住（租赁或自有住所）",
                    notes="房屋租赁合同、不动产权证书或单位住宿证明之一"),
       M("就业、就读或连续居住半年以上的证明", copies=1, rongque=True,
         notes="劳动合同、营业执照、学籍证明等之一")],
      legal=15, legal_unit=N, promised=7, conditions="在本市居住半年以上，且有合法稳定就业、合法稳定住所或连续就读之一。",
      result="江苏省居住证", rongque_days=5, check=CheckMethod.ONLINE, check_days=5),
    S(2, "出生登记", "GA", "07", SOC, "《中华人民共和国户口登记条例》第七条",
      [M("出生医学证明", "助产医疗机构", 1, 1), M("父母双方居民身份证和户口簿", "公安机关", 1, 1),
       M("父母结婚证", "婚姻登记机关", 1, 1, commitment_of="父母婚姻状况")],
      legal=None, promised=0, case_type=IMM, steps=["受理"], result="居民户口簿（新生儿页）",
      check=CheckMethod.ONLINE, check_days=10, forms="1,3"),
    S(3, "居民身份证申领、换领", "GA", "07", SOC, "《中华人民共和国居民身份证法》第八条、第十条",
      [HUKOU, M("原居民身份证（换领时）", "公安机关", 1, 0, required=False)],
      legal=60, legal_unit=N, promised=20, visits=2, steps=["受理", "制证"], result="中华人民共和国居民身份证",
      fee="《财政部 国家发展改革委关于居民身份证收费标准及有关问题的通知》", amount="20.00", express=True),
    S(4, "户口市内迁移", "GA", "07", SOC, "《中华人民共和国户口登记条例》第十条",
      [HUKOU, ID, M("迁入地住所证明", copies=1, commitment_of="在迁入地有合法住所")],
      legal=None, promised=0, case_type=IMM, steps=["受理"], check=CheckMethod.SITE, check_days=15),
    S(5, "往来港澳通行证及签注签发", "GA", "01", SOC, "《中国公民因私事往来香港地区或者澳门地区的暂行管理办法》",
      [ID, M("数字相片回执", "出入境照相点", 1, 0)], legal=7, promised=7, steps=["受理", "审批"],
      result="往来港澳通行证", fee="国家发展改革委、财政部出入境证件收费标准", amount="60.00",
      max_town_class=2, express=True),
    S(6, "农村村民住宅建设审批", "NY", "01", SOC,
      "《中华人民共和国土地管理法》第六十二条；《中华人民共和国城乡规划法》第四十一条",
      [M("农村宅基地和建房（规划许可）申请表", "乡镇人民政府", 1, 0, notes="可在窗口领取空白表，附样表"),
       HUKOU, ID, M("农村宅基地使用承诺书", originals=1),
       M("建房设计图或通用设计图", copies=1, rongque=True, notes="选用省住建部门农房通用图的注明图号"),
       M("村民小组会议讨论意见及公示材料", "村民委员会", 1, 0)],
      legal=20, promised=15, delivery=DeliveryMode.DELEGATED, steps=["受理", "现场勘查", "审核", "审批"],
      special=[SpecialProcedure.PUBLICITY, SpecialProcedure.SITE_SURVEY], result="农村宅基地批准书、乡村建设规划许可证",
      conditions="本集体经济组织成员，符合一户一宅和村庄规划。", rongque_days=10, appointment=False, visits=2),
    S(7, "乡村建设规划许可证核发", "ZRZY", "01", SOC, "《中华人民共和国城乡规划法》第四十一条",
      [M("乡村建设规划许可申请表", originals=1), M("土地权属证明", "自然资源部门", 0, 1),
       M("建设工程设计方案", copies=2)], legal=20, promised=10, delivery=DeliveryMode.DELEGATED,
      special=[SpecialProcedure.SITE_SURVEY], result="乡村建设规划许可证", objects="1,2"),
    S(8, "城市建筑垃圾处置核准", "CG", "01", SOC, "《城市建筑垃圾管理规定》第七条",
      [M("城市建筑垃圾处置核准申请表", originals=1), M("建筑垃圾运输合同", copies=1),
       M("运输车辆行驶证和道路运输证", "公安交管、交通运输部门", 0, 1),
       M("消纳场所证明", copies=1, commitment_of="已落实建筑垃圾消纳场所")],
      legal=20, promised=5, objects="2,6", result="城市建筑垃圾处置核准文件", check=CheckMethod.SITE, check_days=10),
    S(9, "户外广告设施设置审批", "CG", "01", SOC, "《江苏省城市市容和环境卫生管理条例》第十五条",
      [M("户外广告设施设置申请表", originals=1), M("营业执照", "市场监管部门", 0, 1),
       M("设置效果图和位置图", copies=1), M("场地使用权证明", copies=1, rongque=True)],
      legal=20, promised=5, objects="1,2", result="户外广告设施设置许可决定书", rongque_days=5),
    S(10, "临时占用城市道路审批", "CG", "01", SOC, "《城市道路管理条例》第三十一条",
      [M("占用城市道路申请表", originals=1), M("占道平面示意图", copies=1), ID],
      legal=20, promised=3, objects="1,2", result="临时占用城市道路许可决定书"),
    # --- 公共服务 ---------------------------------------------------------------------------------
    S(11, "最低生活保障申请", "MZ", "05", PUB, "《社会救助暂行办法》第十一条；《江苏省最低生活保障工作规程》",
      [M("最低生活保障申请书", originals=1, notes="由申请人签字，可由村（居）委会代为填写"),
       M("家庭成员居民身份证和户口簿", "公安机关", 1, 1),
       M("家庭经济状况核对授权书", originals=1, notes="共同生活家庭成员均须签字"),
       M("家庭收入和财产状况声明", originals=1, commitment_of="家庭收入、财产状况"),
       M("残疾证、病历等特殊情况证明", "残联、医疗机构", 0, 1, required=False)],
      legal=30, promised=20, delivery=DeliveryMode.DELEGATED, steps=["受理", "入户调查", "审核", "审批"],
      special=[SpecialProcedure.VERIFICATION, SpecialProcedure.PUBLICITY], result="最低生活保障金领取证",
      conditions="共同生活家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
      check=CheckMethod.ONLINE, check_days=15, faq="问：户籍不在本镇能否申请？答：向户籍所在地申请。"),
    S(12, "特困人员救助供养申请", "MZ", "05", PUB, "《社会救助暂行办法》第十四条；《特困人员认定办法》",
      [M("特困人员救助供养申请书", originals=1), ID, HUKOU, M("丧失劳动能力证明", "残联、医疗机构", 0, 1)],
      legal=20, promised=15, delivery=DeliveryMode.DELEGATED, special=[SpecialProcedure.PUBLICITY],
      result="特困人员救助供养证"),
    S(13, "临时救助申请", "MZ", "05", PUB, "《社会救助暂行办法》第四十七条",
      [M("临时救助申请书", originals=1), ID, M("遭遇困难的相关证明", copies=1, rongque=True,
                                            commitment_of="遭遇突发事件、意外伤害或重大疾病的情况")],
      legal=15, promised=10, delivery=DeliveryMode.DELEGATED, steps=["受理", "审核", "审批"],
      conditions="因突发事件、意外伤害、重大疾病等导致基本生活暂时出现严重困难。", check=CheckMethod.WRITTEN,
      check_days=10, rongque_days=5),
    S(14, "残疾人证申领", "CL", "07", PUB, "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
      [ID, HUKOU, M("近期二寸免冠彩色照片", originals=3), M("残疾评定表", "指定评定医疗机构", 1, 0)],
      legal=20, promised=15, steps=["受理", "评定", "审核", "发证"], result="中华人民共和国残疾人证",
      special=[SpecialProcedure.TESTING]),
    S(15, "困难残疾人生活补贴和重度残疾人护理补贴申请", "CL", "05", PUB,
      "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
      [M("补贴申请表", originals=1), M("中华人民共和国残疾人证", "残联", 1, 1), ID],
      legal=20, promised=15, delivery=DeliveryMode.DELEGATED),
    S(16, "城乡居民基本养老保险参保登记", "RS", "20", PUB, "《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
      [ID, M("城乡居民基本养老保险参保登记表", originals=1)], legal=None, promised=0, case_type=IMM,
      steps=["受理"], forms="1,2,3"),
    S(17, "城乡居民基本医疗保险参保登记", "YB", "20", PUB, "《中华人民共和国社会保险法》第二十五条",
      [ID, HUKOU], legal=None, promised=0, case_type=IMM, steps=["受理"], forms="1,2,3"),
    S(18, "基本医疗保险异地就医备案", "YB", "20", PUB, "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
      [ID, M("异地就医备案表", originals=1, notes="也可通过国家医保服务平台自助备案")],
      legal=None, promised=0, case_type=IMM, steps=["受理"], forms="1,2,3"),
    S(19, "医疗费用零星报销", "YB", "05", PUB, "《中华人民共和国社会保险法》第二十九条",
      [ID, M("医疗费用发票", "医疗机构", 1, 0), M("费用明细清单", "医疗机构", 1, 0), M("出院小结或病历", "医疗机构", 0, 1),
       M("本人社会保障卡或银行卡", copies=1, rongque=True)],
      legal=30, promised=20, steps=["受理", "审核", "结算"], rongque_days=10),
    S(20, "生育登记", "WJ", "20", PUB, "《中华人民共和国人口与计划生育法》；《江苏省人口与计划生育条例》",
      [M("夫妻双方居民身份证", "公安机关", 1, 0), M("结婚证", "婚姻登记机关", 1, 0, commitment_of="夫妻双方婚姻状况")],
      legal=None, promised=0, case_type=IMM, steps=["受理"], forms="1,2,3", check=CheckMethod.ONLINE, check_days=10),
    S(21, "农村部分计划生育家庭奖励扶助申请", "WJ", "05", PUB, "《江苏省农村部分计划生育家庭奖励扶助制度实施方案》",
      [ID, HUKOU, M("独生子女父母光荣证或相关证明", "卫生健康部门", 0, 1)], legal=30, promised=20,
      special=[SpecialProcedure.PUBLICITY]),
    S(22, "就业失业登记", "RS", "20", PUB, "《就业服务与就业管理规定》第六十一条",
      [ID, M("就业创业证（已有时）", "人社部门", 1, 0, required=False)], legal=None, promised=0, case_type=IMM,
      steps=["受理"], result="就业创业证", forms="1,2"),
    S(23, "灵活就业人员社会保险补贴申请", "RS", "05", PUB, "《江苏省就业促进条例》；《就业补助资金管理办法》",
      [ID, M("就业创业证", "人社部门", 1, 0), M("灵活就业情况说明", originals=1, commitment_of="从事灵活就业的情况")],
      legal=30, promised=15, steps=["受理", "审核", "公示", "拨付"], special=[SpecialProcedure.PUBLICITY],
      check=CheckMethod.PUBLICITY, check_days=20),
    S(24, "住房公积金提取（退休、购房）", "GJJ", "05", PUB, "《住房公积金管理条例》第二十四条",
      [ID, M("购房合同或退休证明", copies=1), M("本人银行卡", copies=1)],
      legal=3, legal_unit=N, promised=1, steps=["受理", "审批"], forms="1,2,3"),
    S(25, "个人住房公积金缴存登记", "GJJ", "20", PUB, "《住房公积金管理条例》第十五条",
      [ID, M("劳动合同或灵活就业承诺书", copies=1)], legal=None, promised=0, case_type=IMM, steps=["受理"],
      objects="1,2"),
    S(26, "法律援助申请", "SF", "07", PUB, "《中华人民共和国法律援助法》第四十三条",
      [ID, M("法律援助申请表", originals=1), M("经济困难状况说明表", originals=1, commitment_of="家庭经济困难状况"),
       M("与所申请法律援助事项有关的材料", copies=1)],
      legal=7, legal_unit=N, promised=3, steps=["受理", "审查", "指派"], check=CheckMethod.WRITTEN, check_days=5,
      conditions="公民因经济困难没有委托代理人，且属于法律援助范围的事项。"),
    # --- 生产相关 ---------------------------------------------------------------------------------
    S(27, "个体工商户设立登记", "SG", "01", PRD, "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》",
      [M("个体工商户登记（备案）申请书", originals=1), M("经营者居民身份证", "公安机关", 0, 1),
       M("经营场所使用证明", copies=1, commitment_of="经营场所的合法使用权及用途")],
      legal=3, promised=0, case_type=IMM, steps=["受理"], result="营业执照", objects="1", forms="1,2,3",
      check=CheckMethod.SITE, check_days=20),
    S(28, "个体工商户变更登记", "SG", "01", PRD, "《中华人民共和国市场主体登记管理条例》第二十四条",
      [M("变更登记申请书", originals=1), M("营业执照正副本", "市场监管部门", 1, 0)], legal=3, promised=0,
      case_type=IMM, steps=["受理"], result="营业执照", forms="1,2,3"),
    S(29, "农民专业合作社设立登记", "SG", "01", PRD, "《中华人民共和国农民专业合作社法》第十六条",
      [M("设立登记申请书", originals=1), M("全体设立人签名的设立大会纪要", originals=1), M("章程", originals=1),
       M("成员名册及身份证明", copies=1), M("住所使用证明", copies=1, commitment_of="住所的合法使用权")],
      legal=20, promised=3, objects="6", result="营业执照", check=CheckMethod.WRITTEN, check_days=20),
    S(30, "食品经营许可（小餐饮）", "SG", "01", PRD, "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
      [M("食品经营许可申请书", originals=1), M("营业执照", "市场监管部门", 0, 1),
       M("经营场所平面布局图", copies=1), M("食品安全管理制度", copies=1, commitment_of="已建立食品安全管理制度")],
      legal=10, promised=5, steps=["受理", "现场核查", "审批"], special=[SpecialProcedure.SITE_SURVEY],
      result="食品经营许可证", objects="1,2", check=CheckMethod.SITE, check_days=20),
    S(31, "发票领用", "SW", "10", PRD, "《中华人民共和国发票管理办法》第十五条",
      [M("经办人身份证件", "公安机关", 1, 0), M("税务UKey或税控设备", originals=1)], legal=None, promised=0,
      case_type=IMM, steps=["受理"], objects="1,2", forms="1,2"),
    S(32, "个体工商户定期定额核定", "SW", "04", PRD, "《个体工商户税收定期定额征收管理办法》",
      [M("定期定额户基本信息采集表", originals=1), M("营业执照", "市场监管部门", 0, 1)], legal=30, legal_unit=N,
      promised=10, objects="1", special=[SpecialProcedure.PUBLICITY]),
    S(33, "农机购置与应用补贴申请", "NY", "05", PRD, "《农业机械购置补贴实施指导意见》",
      [ID, M("购机发票", "销售企业", 1, 1), M("农机购置补贴申请表", originals=1), M("机具铭牌照片", copies=1, rongque=True)],
      legal=None, promised=15, steps=["受理", "核验", "公示", "兑付"], special=[SpecialProcedure.VERIFICATION],
      objects="1,2,6", rongque_days=5),
    S(34, "耕地地力保护补贴申报", "CZ", "05", PRD, "《财政部 农业部关于全面推开农业“三项补贴”改革工作的通知》",
      [ID, M("土地承包经营权证或承包合同", "农业农村部门", 0, 1), M("惠农补贴“一卡通”", "代理银行", 0, 1)],
      legal=None, promised=20, delivery=DeliveryMode.DELEGATED, special=[SpecialProcedure.PUBLICITY]),
    S(35, "建筑工程施工许可（限额以上小型工程）", "SPJ", "01", PRD, "《中华人民共和国建筑法》第七条；《建筑工程施工许可管理办法》",
      [M("建筑工程施工许可申请表", originals=1), M("建设工程规划许可证", "自然资源部门", 0, 1),
       M("施工合同", copies=1), M("建设资金落实承诺书", originals=1, commitment_of="建设资金已经落实")],
      legal=7, legal_unit=N, promised=3, objects="2,3,6", result="建筑工程施工许可证",
      check=CheckMethod.WRITTEN, check_days=20),
    S(36, "农村危房改造补助申请", "ZJ", "05", PRD, "《农村危房改造补助资金管理办法》",
      [ID, HUKOU, M("农村危房改造申请表", originals=1), M("房屋安全鉴定意见", "鉴定机构", 1, 0)],
      legal=None, promised=20, special=[SpecialProcedure.SITE_SURVEY, SpecialProcedure.PUBLICITY]),
    S(37, "公共租赁住房申请", "ZJ", "20", PRD, "《公共租赁住房管理办法》第七条",
      [ID, HUKOU, M("公共租赁住房申请表", originals=1), M("收入和住房情况申报", originals=1,
                                                         commitment_of="家庭收入和住房状况")],
      legal=None, promised=20, special=[SpecialProcedure.PUBLICITY], check=CheckMethod.ONLINE, check_days=15),
    # --- 生活相关（水电气、有线电视、通讯） ----------------------------------------------------------
    S(38, "居民生活用水报装", "GS", "20", LIV, "《城市供水条例》；供水企业服务承诺",
      [ID, M("房屋产权证明或购房合同", copies=1, commitment_of="用水地址的房屋产权或合法使用权")],
      legal=None, promised=5, steps=["受理", "现场勘查", "接水"], fee="《江苏省物价局关于供水工程安装费的规定》",
      amount=None, special=[SpecialProcedure.SITE_SURVEY], check=CheckMethod.EXEMPT, appointment=True),
    S(39, "用水户名变更（过户）", "GS", "20", LIV, "供水企业服务承诺", [ID, M("房屋产权证明", copies=1)],
      legal=None, promised=0, case_type=IMM, steps=["受理"]),
    S(40, "低压居民用电报装", "GD", "20", LIV, "《供电营业规则》；《国家能源局关于压减用电报装时间的通知》",
      [ID, M("房屋产权证明或使用证明", copies=1, rongque=True)], legal=None, promised=3,
      steps=["受理", "装表接电"], rongque_days=2, forms="1,2,3"),
    S(41, "用电户名变更（过户）", "GD", "20", LIV, "《供电营业规则》第二十九条", [ID, M("房屋产权证明", copies=1)],
      legal=None, promised=0, case_type=IMM, steps=["受理"], forms="1,2,3"),
    S(42, "管道燃气开户", "RQ", "20", LIV, "《城镇燃气管理条例》；燃气企业服务承诺",
      [ID, M("房屋产权证明或租赁合同", copies=1)], legal=None, promised=5, steps=["受理", "安全检查", "通气"],
      fee="《启东市管道燃气工程安装费标准》", amount="2800.00", special=[SpecialProcedure.SITE_SURVEY]),
    S(43, "有线电视开户、移机", "YX", "20", LIV, "有线电视企业服务承诺", [ID], legal=None, promised=3,
      steps=["受理", "安装"], fee="江苏有线基本收视维护费标准", amount="25.00"),
    S(44, "固定电话、宽带装机", "TX", "20", LIV, "《电信条例》；电信企业服务承诺", [ID], legal=None, promised=3,
      steps=["受理", "安装"], forms="1,2,3"),
    # --- 其他社会事务 -----------------------------------------------------------------------------
    S(45, "人民调解申请", "SF", "20", OTH, "《中华人民共和国人民调解法》第十七条",
      [ID, M("调解申请书或口头申请记录", originals=1)], legal=30, legal_unit=N, promised=15,
      steps=["受理", "调解", "结案"], result="人民调解协议书", appointment=False),
    S(46, "基本殡葬服务费用减免", "MZ", "05", OTH, "《江苏省殡葬管理办法》；惠民殡葬政策",
      [M("死亡证明", "医疗机构或公安机关", 0, 1), M("经办人居民身份证", "公安机关", 0, 1)], legal=None, promised=0,
      case_type=IMM, steps=["受理"]),
    S(47, "退役军人优待证申领", "TY", "20", OTH, "《中华人民共和国退役军人保障法》第六十二条",
      [ID, M("退役证件", "部队", 0, 1), PHOTO], legal=None, promised=20, steps=["受理", "审核", "制证"],
      result="中华人民共和国退役军人优待证"),
    S(48, "优抚对象定期抚恤补助申请", "TY", "05", OTH, "《军人抚恤优待条例》",
      [ID, M("优抚对象身份证明", "退役军人事务部门", 0, 1), M("银行账户信息", copies=1, rongque=True)],
      legal=30, promised=20, rongque_days=10),
    S(49, "高龄津贴申领", "MZ", "05", OTH, "《江苏省老年人权益保障条例》第三十八条", [ID, HUKOU, M("本人银行卡", copies=1)],
      legal=None, promised=10, delivery=DeliveryMode.DELEGATED),
]

VILLAGE: list[S] = [
    S(101, "最低生活保障申请代办", "MZ", "20", V_RELIEF, "《社会救助暂行办法》第十一条；村（居）委会协助办理",
      [M("最低生活保障申请书", originals=1), M("家庭成员居民身份证和户口簿", "公安机关", 0, 1)],
      legal=None, promised=2, steps=["受理", "转报镇"], levels="6", forms="1", online=False),
    S(102, "临时救助申请代办", "MZ", "20", V_RELIEF, "《社会救助暂行办法》第四十八条", [ID, M("困难情况说明", originals=1)],
      legal=None, promised=1, steps=["受理", "转报镇"], levels="6", online=False),
    S(103, "特困人员救助供养申请代办", "MZ", "20", V_RELIEF, "《特困人员认定办法》第十一条",
      [ID, HUKOU, M("特困人员救助供养申请书", originals=1)], legal=None, promised=2, steps=["受理", "转报镇"],
      levels="6", online=False),
    S(104, "高龄津贴申领代办", "MZ", "20", V_RELIEF, "《江苏省老年人权益保障条例》第三十八条", [ID, HUKOU],
      legal=None, promised=0, case_type=IMM, steps=["受理"], levels="6", online=False),
    S(105, "生育登记代办", "WJ", "20", V_FP, "《江苏省人口与计划生育条例》",
      [M("夫妻双方居民身份证", "公安机关", 1, 0), M("结婚证", "婚姻登记机关", 1, 0, commitment_of="夫妻双方婚姻状况")],
      legal=None, promised=0, case_type=IMM, steps=["受理"], levels="6", check=CheckMethod.ONLINE, check_days=10),
    S(106, "计划生育家庭特别扶助申请代办", "WJ", "20", V_FP, "《全国独生子女伤残死亡家庭扶助制度试点方案》",
      [ID, HUKOU, M("独生子女伤残或死亡证明", "医疗机构或公安机关", 0, 1)], legal=None, promised=3,
      steps=["受理", "转报镇"], levels="6", online=False),
    S(107, "独生子女父母光荣证补办代办", "WJ", "20", V_FP, "《江苏省人口与计划生育条例》", [ID, PHOTO],
      legal=None, promised=2, steps=["受理", "转报镇"], levels="6"),
    S(108, "就业失业登记代办", "RS", "20", V_JOB, "《就业服务与就业管理规定》", [ID], legal=None, promised=0,
      case_type=IMM, steps=["受理"], levels="6"),
    S(109, "城乡居民基本养老保险参保缴费代办", "RS", "20", V_JOB, "《国务院关于建立统一的城乡居民基本养老保险制度的意见》",
      [ID], legal=None, promised=0, case_type=IMM, steps=["受理"], levels="6"),
    S(110, "城乡居民医疗保险参保缴费代办", "YB", "20", V_JOB, "《中华人民共和国社会保险法》第二十五条", [ID],
      legal=None, promised=0, case_type=IMM, steps=["受理"], levels="6"),
    S(111, "公益性岗位申请代办", "RS", "20", V_JOB, "《就业补助资金管理办法》",
      [ID, M("就业困难人员认定材料", "人社部门", 0, 1, rongque=True)], legal=None, promised=3,
      steps=["受理", "转报镇"], levels="6", rongque_days=3),
    S(112, "矛盾纠纷调解申请", "SF", "20", V_MED, "《中华人民共和国人民调解法》",
      [M("调解申请（口头或书面）", originals=1)], legal=None, promised=15, steps=["受理", "调解"], levels="6",
      appointment=False, online=False),
    S(113, "土地承包经营纠纷调解", "NY", "20", V_MED, "《中华人民共和国农村土地承包经营纠纷调解仲裁法》第八条",
      [ID, M("土地承包合同或经营权证", "农业农村部门", 0, 1)], legal=None, promised=15, steps=["受理", "调解"],
      levels="6", online=False),
    S(114, "政策咨询与办事指引", "SPJ", "20", V_AGENCY, "启政办发〔2020〕37号 便民服务中心咨询代办职责", [ID],
      legal=None, promised=0, case_type=IMM, steps=["受理"], levels="6", forms="1,9"),
    S(115, "残疾人证申领代办", "CL", "20", V_AGENCY, "《中华人民共和国残疾人证管理办法》", [ID, HUKOU, PHOTO],
      legal=None, promised=2, steps=["受理", "转报镇"], levels="6", online=False),
    S(116, "农村村民建房申请代办", "NY", "20", V_AGENCY, "《中华人民共和国土地管理法》第六十二条",
      [M("农村宅基地和建房（规划许可）申请表", "乡镇人民政府", 1, 0), HUKOU], legal=None, promised=3,
      steps=["受理", "村民小组讨论", "转报镇"], levels="6", special=[SpecialProcedure.PUBLICITY], online=False),
]


def _data(spec: S) -> dict[str, Any]:
    from govhall.orgs.models import Department

    department = Department.objects.get(code=spec.dept)
    window_class = "quanke" if spec.levels == "6" else WINDOW_BY_DEPT[spec.dept]
    dept_name = department.name
    return {
        "name": spec.name, "matter_type": spec.mtype, "legal_basis": spec.basis + SAMPLE_MARK,
        "levels": spec.levels, "max_town_class": spec.max_town_class, "department": department,
        "implementing_body": dept_name, "handling_org": "各镇为民服务中心" if spec.levels != "6" else "各村便民服务中心",
        "category": spec.category, "delivery_mode": spec.delivery, "window_class": window_class,
        "window_department": department if window_class == "professional" else None,
        "legal_limit": spec.legal, "legal_limit_unit": spec.legal_unit,
        "legal_limit_note": "" if spec.legal is not None else "法律法规未规定办结时限",
        "promised_limit": spec.promised, "promised_limit_unit": spec.promised_unit,
        "promised_limit_note": "当场办结" if spec.case_type == IMM else "自受理之日起计算，特别程序时间不计入",
        "case_type": spec.case_type,
        "acceptance_conditions": spec.conditions or f"申请人符合{spec.name}的法定条件，申请材料齐全、符合法定形式。",
        "process": "→".join(spec.steps) + ("→办结→送达" if spec.case_type != IMM else "→当场办结"),
        "approval_steps": spec.steps, "special_procedures": spec.special,
        "result_name": spec.result, "charges": bool(spec.fee), "fee_basis": spec.fee,
        "fee_amount": spec.amount, "fee_note": "" if not spec.fee or spec.amount else "按实际工程量计收",
        "service_objects": spec.objects, "handling_forms": spec.forms, "visits": spec.visits,
        "supports_appointment": spec.appointment, "supports_online": spec.online and "2" in spec.forms,
        "supports_online_payment": bool(spec.fee) and spec.online, "supports_express": spec.express,
        "consult_phone": "", "supervision_phone": "0513-12345", "faq": spec.faq,
        "check_method": spec.check, "check_days": spec.check_days, "rongque_supply_days": spec.rongque_days,
    }


def load_builtin() -> str:
    """Create the sample matters that do not exist yet (a bureau's changes are never overwritten), then put
    every expected matter into every active centre's hall (rows the bureau removed stay removed)."""
    from .services import centre_matters_assign_expected, matter_create, matter_publish

    created = 0
    for spec in [*TOWN, *VILLAGE]:
        if Matter.objects.filter(code=spec.code).exists():
            continue
        matter = matter_create(actor=None, code=spec.code, basic_code=spec.basic_code, data=_data(spec),
                               materials=[m.as_dict() for m in spec.materials])
        matter_publish(actor=None, matter=matter, reason=SAMPLE_REASON)
        created += 1
    links = centre_matters_assign_expected(actor=None, centres=Centre.objects.filter(is_active=True)
                                           .select_related("division"))
    return (f"事项清单（样例）：新增 {created} 项（镇级 {len(TOWN)} 项、村级 {len(VILLAGE)} 项），"
            f"进驻中心新增 {links} 条")
