"""The built-in rule set: 启政办发〔2020〕37号 §二(四), version 2020-37 (SITE-1..8), as data.

Weights are points; a town's base score is the share of the points it earns (out of 100), bonus points
are added on top (capped at 100)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.orgs.models import Centre
from govhall.standards.models import CheckKind, Op, Rule, RuleSet, RuleSetStatus
from govhall.standards.selectors import survey_items
from govhall.standards.services import assessment_run, survey_finish, survey_save, survey_start

NAME = "启政办发〔2020〕37号"
VERSION = "2020-37"

T1, T2, T3, V = "town1", "town2", "town3", "village"
TOWNS = [T1, T2, T3]
ALL = [T1, T2, T3, V]

N_AREA = (
    "一类镇为民服务中心大厅服务面积不少于1500平方米，二类镇为民服务中心大厅服务面积不少于1000平方米，"
    "三类镇为民服务中心大厅服务面积不少于500平方米。"
)
N_AREA_V = "村便民服务中心要充分利用现有办公场所，至少有一间办公用房，大厅服务面积不少于100平方米。"
N_NAME = (
    "镇为民服务中心统一名称为“行政区域名称+为民服务中心”，村便民服务中心统一名称为"
    "“行政区域名称+村名称+便民服务中心”。"
)
N_ZONES = (
    "按功能合理设置窗口服务区、咨询服务区、自助服务区、信息公开区、代办服务专区、项目开标室、"
    "等候休息区等功能区域，区域划分合理，功能齐全。"
)
N_24H = "鼓励有条件的镇设置24小时自助服务区。"
N_COUNTER = "设置敞开式业务办理前台（高度80~90cm左右，宽70~80cm左右）。"
N_COUNTER_KIT = "柜台配置电脑、打印机、高拍仪（扫描仪）、电话等办公设施。"
N_DESK = "桌面放置岗位公示牌、办事指南、一次性告知单等。"
N_WINDOWS = "分类综合服务窗口设置民生、建设、市政公共服务等小综窗，总窗口数不少于10个。"
N_CLASSES = (
    "民生综合窗口受理财政、民政、残联、卫健等部门事项，建设综合窗口受理住建、城管、自然资源以及审批局等"
    "部门对应事项，市政公共服务综合窗口受理供水、供电、有线电视、通讯等事项，其余事项通过整合设立其他"
    "事项综合窗口统一受理。"
)
N_PROF = "专业办事窗口由公安、税务、人社、医保、公积金、市管等部门进驻设置。"
N_SAMECITY = "经济发达镇和重点中心镇设置公安出入境、税务、公积金等民生服务类专窗，同城通办，辐射周边。"
N_QUANKE = "村便民服务中心按照“一窗受（办）理”模式设置不少于3个全科窗口。"
N_AUX = "根据各镇窗口设置数量，按不低于1:2比例配备辅助人员。"
N_AGENT = "在代办服务专区指定专职或兼职代办员，为有需求的群众提供全程代办服务。"
N_GUIDE = "大厅入口处设置导服台，配备便民箱、急救箱、雨伞、意见箱等设施。"
N_SCREEN = "设置电子显示屏，滚动发布相关政策和政务服务事项、承诺时限、收费标准、投诉电话等信息。"
N_FORM = "设置便民填写台，提供表格填写范本及书写工具。"
N_TERMINAL = "设置自助服务终端，配备电脑、打印机、手机充电器、饮水机等便民设备。"
N_BARRIER = "配备保障特殊人群通行安全和使用便利的无障碍通道、卫生间等。"
N_BABY = "有条件的可设置母婴室。"
N_SAFETY = "各级政务服务机构应按要求配备安装防火灭火设备和紧急逃生通道、应急照明等应急应对设施。"


def _rule(
    code: str,
    req: str,
    title: str,
    levels: list[str],
    kind: str,
    measure: str = "",
    op: str = "",
    value: float | None = None,
    value_max: float | None = None,
    weight: float = 1,
    *,
    notice: str,
    measure2: str = "",
    bonus: bool = False,
    safety: bool = False,
) -> dict[str, Any]:
    return {
        "code": code,
        "requirement": req,
        "title": title,
        "levels": levels,
        "kind": kind,
        "measure": measure,
        "measure2": measure2,
        "op": op,
        "value": Decimal(str(value)) if value is not None else None,
        "value_max": Decimal(str(value_max)) if value_max is not None else None,
        "weight": Decimal(str(weight)),
        "is_bonus": bonus,
        "is_safety": safety,
        "notice_text": notice,
    }


def _present(
    code: str,
    req: str,
    title: str,
    levels: list[str],
    measure: str,
    weight: float,
    *,
    notice: str,
    bonus: bool = False,
    safety: bool = False,
) -> dict[str, Any]:
    return _rule(
        code,
        req,
        title,
        levels,
        CheckKind.PRESENT,
        measure,
        weight=weight,
        notice=notice,
        bonus=bonus,
        safety=safety,
    )


def _at_least(
    code: str, req: str, title: str, levels: list[str], measure: str, n: float, weight: float, *, notice: str
) -> dict[str, Any]:
    return _rule(code, req, title, levels, CheckKind.COUNT, measure, Op.GE, n, weight=weight, notice=notice)


ZONES = [
    ("window", "窗口服务区"),
    ("consult", "咨询服务区"),
    ("self_service", "自助服务区"),
    ("disclosure", "信息公开区"),
    ("agency", "代办服务专区"),
    ("bidding", "项目开标室"),
    ("waiting", "等候休息区"),
]
FACILITIES = [
    ("guide_desk", "入口设置导服台", 2, N_GUIDE),
    ("convenience_box", "配备便民箱", 1, N_GUIDE),
    ("first_aid_kit", "配备急救箱", 1, N_GUIDE),
    ("umbrellas", "配备雨伞", 1, N_GUIDE),
    ("suggestion_box", "配备意见箱", 1, N_GUIDE),
    ("display_screen", "设置电子显示屏", 2, N_SCREEN),
    ("form_desk", "设置便民填写台及填写范本", 2, N_FORM),
    ("self_service_terminal", "设置自助服务终端", 2, N_TERMINAL),
    ("barrier_free_passage", "无障碍通道", 2, N_BARRIER),
    ("barrier_free_toilet", "无障碍卫生间", 2, N_BARRIER),
]
PROFESSIONAL = [
    ("GA", "公安"),
    ("SW", "税务"),
    ("RS", "人社"),
    ("YB", "医保"),
    ("GJJ", "公积金"),
    ("SG", "市管"),
]


def builtin_rules() -> list[dict[str, Any]]:
    rules = [
        _rule(
            "SITE-1.1",
            "SITE-1",
            "一类镇大厅服务面积不少于1500平方米",
            [T1],
            CheckKind.THRESHOLD,
            "hall_area",
            Op.GE,
            1500,
            weight=10,
            notice=N_AREA,
        ),
        _rule(
            "SITE-1.2",
            "SITE-1",
            "二类镇大厅服务面积不少于1000平方米",
            [T2],
            CheckKind.THRESHOLD,
            "hall_area",
            Op.GE,
            1000,
            weight=10,
            notice=N_AREA,
        ),
        _rule(
            "SITE-1.3",
            "SITE-1",
            "三类镇大厅服务面积不少于500平方米",
            [T3],
            CheckKind.THRESHOLD,
            "hall_area",
            Op.GE,
            500,
            weight=10,
            notice=N_AREA,
        ),
        _rule(
            "SITE-1.4",
            "SITE-1",
            "村大厅服务面积不少于100平方米",
            [V],
            CheckKind.THRESHOLD,
            "hall_area",
            Op.GE,
            100,
            weight=20,
            notice=N_AREA_V,
        ),
        _rule(
            "SITE-1.5",
            "SITE-1",
            "村至少有一间办公用房",
            [V],
            CheckKind.COUNT,
            "office_rooms",
            Op.GE,
            1,
            weight=10,
            notice=N_AREA_V,
        ),
        _rule(
            "SITE-2.1", "SITE-2", "中心名称符合统一命名规则", ALL, CheckKind.NAMING, weight=5, notice=N_NAME
        ),
    ]
    rules += [
        _present(f"SITE-3.{i}", "SITE-3", f"设置{label}", TOWNS, f"zone_{key}", 2, notice=N_ZONES)
        for i, (key, label) in enumerate(ZONES, start=1)
    ]
    rules += [
        _present(
            "SITE-3.8",
            "SITE-3",
            "设置24小时自助服务区（加分项）",
            TOWNS,
            "zone_24h",
            2,
            notice=N_24H,
            bonus=True,
        ),
        _rule(
            "SITE-4.1",
            "SITE-4",
            "柜台高度80–90厘米",
            TOWNS,
            CheckKind.THRESHOLD,
            "counter_height",
            Op.BETWEEN,
            80,
            90,
            weight=3,
            notice=N_COUNTER,
        ),
        _rule(
            "SITE-4.2",
            "SITE-4",
            "柜台宽度70–80厘米",
            TOWNS,
            CheckKind.THRESHOLD,
            "counter_width",
            Op.BETWEEN,
            70,
            80,
            weight=3,
            notice=N_COUNTER,
        ),
        _present("SITE-4.3", "SITE-4", "柜台配备电脑", TOWNS, "counter_computer", 1, notice=N_COUNTER_KIT),
        _present("SITE-4.4", "SITE-4", "柜台配备打印机", TOWNS, "counter_printer", 1, notice=N_COUNTER_KIT),
        _present(
            "SITE-4.5",
            "SITE-4",
            "柜台配备高拍仪（扫描仪）",
            TOWNS,
            "counter_scanner",
            1,
            notice=N_COUNTER_KIT,
        ),
        _present("SITE-4.6", "SITE-4", "柜台配备电话", TOWNS, "counter_phone", 1, notice=N_COUNTER_KIT),
        _present(
            "SITE-4.7",
            "SITE-4",
            "桌面放置岗位公示牌、办事指南、一次性告知单",
            TOWNS,
            "counter_desk_items",
            2,
            notice=N_DESK,
        ),
        _at_least(
            "SITE-5.1", "SITE-5", "镇大厅窗口总数不少于10个", TOWNS, "windows_total", 10, 8, notice=N_WINDOWS
        ),
        _at_least(
            "SITE-5.2", "SITE-5", "设置民生综合窗口", TOWNS, "windows_minsheng", 1, 2, notice=N_CLASSES
        ),
        _at_least("SITE-5.3", "SITE-5", "设置建设综合窗口", TOWNS, "windows_jianshe", 1, 2, notice=N_CLASSES),
        _at_least(
            "SITE-5.4",
            "SITE-5",
            "设置市政公共服务综合窗口",
            TOWNS,
            "windows_shizheng",
            1,
            2,
            notice=N_CLASSES,
        ),
        _at_least(
            "SITE-5.5", "SITE-5", "设置其他事项综合窗口", TOWNS, "windows_qita", 1, 2, notice=N_CLASSES
        ),
    ]
    rules += [
        _at_least(
            f"SITE-5.{i}",
            "SITE-5",
            f"设置{short}专业窗口",
            TOWNS,
            f"prof_{code.lower()}",
            1,
            2,
            notice=N_PROF,
        )
        for i, (code, short) in enumerate(PROFESSIONAL, start=6)
    ]
    rules += [
        _at_least(
            "SITE-5.12",
            "SITE-5",
            "设置公安出入境专窗（同城通办）",
            [T1, T2],
            "samecity_exit_entry",
            1,
            2,
            notice=N_SAMECITY,
        ),
        _at_least(
            "SITE-5.13",
            "SITE-5",
            "设置税务专窗（同城通办）",
            [T1, T2],
            "samecity_tax",
            1,
            2,
            notice=N_SAMECITY,
        ),
        _at_least(
            "SITE-5.14",
            "SITE-5",
            "设置公积金专窗（同城通办）",
            [T1, T2],
            "samecity_gjj",
            1,
            2,
            notice=N_SAMECITY,
        ),
        _at_least(
            "SITE-5.15", "SITE-5", "村设置不少于3个全科窗口", [V], "windows_quanke", 3, 20, notice=N_QUANKE
        ),
        _rule(
            "SITE-6.1",
            "SITE-6",
            "辅助人员不少于窗口数的2倍（1:2）",
            TOWNS,
            CheckKind.RATIO,
            "auxiliary_staff",
            Op.GE,
            2,
            weight=6,
            notice=N_AUX,
            measure2="windows_total",
        ),
        _at_least("SITE-6.2", "SITE-6", "代办服务专区指定代办员", TOWNS, "agents", 1, 4, notice=N_AGENT),
    ]
    rules += [
        _present(f"SITE-7.{i}", "SITE-7", title, TOWNS, key, weight, notice=notice)
        for i, (key, title, weight, notice) in enumerate(FACILITIES, start=1)
    ]
    rules += [
        _present(
            "SITE-7.11",
            "SITE-7",
            "设置母婴室（加分项）",
            TOWNS,
            "mother_baby_room",
            2,
            notice=N_BABY,
            bonus=True,
        ),
        _present(
            "SITE-7.12", "SITE-7", "配备防火灭火设备", ALL, "fire_equipment", 5, notice=N_SAFETY, safety=True
        ),
        _present(
            "SITE-7.13", "SITE-7", "设置紧急逃生通道", ALL, "emergency_exit", 5, notice=N_SAFETY, safety=True
        ),
        _present(
            "SITE-7.14", "SITE-7", "配备应急照明", ALL, "emergency_lighting", 5, notice=N_SAFETY, safety=True
        ),
    ]
    return rules


@transaction.atomic
def load_builtin() -> str:
    """Create (or leave as it is) the built-in rule set. A published rule set is never rewritten: if the
    bureau changed anything it did so in a new version."""
    rule_set, created = RuleSet.objects.get_or_create(
        name=NAME,
        version=VERSION,
        defaults={
            "description": "启东市人民政府办公室《关于推进镇村政务服务体系标准化建设的通知》§二(四) 统一服务场所",
            "status": RuleSetStatus.PUBLISHED,
            "published_at": timezone.now(),
        },
    )
    if created:
        for order, fields in enumerate(builtin_rules(), start=1):
            Rule.objects.create(rule_set=rule_set, order=order * 10, **fields)
    return f"标准化考核规则集：{rule_set}，{rule_set.rules.count()} 条规则" + (
        "（新建）" if created else "（已存在）"
    )


def load_demo() -> str:
    """A finished survey and an assessment for two demo towns, so the bureau's overview has content."""
    inspector = User.objects.filter(username="inspector").first()
    if inspector is None:
        return ""
    made = 0
    for town, area, extra in (
        ("吕四港镇", 1620, {}),
        ("惠萍镇", 480, {"emergency_exit": False, "zone_bidding": False}),
    ):
        centre = Centre.objects.filter(is_active=True, division__name=town, level="town").first()
        if centre is None or centre.assessments.exists():
            continue
        survey = survey_start(centre=centre, actor=inspector)
        answers: dict[str, Any] = {key: {"value": True} for key in survey_item_keys(survey)}
        answers.update(
            {
                "hall_area": {"value": area},
                "counter_height": {"value": 85},
                "counter_width": {"value": 75},
                "office_rooms": {"value": 2},
            }
        )
        answers.update({k: {"value": v} for k, v in extra.items()})
        survey_save(survey=survey, answers=answers, actor=inspector)
        survey_finish(survey=survey, signed_name=inspector.full_name, actor=inspector)
        assessment_run(centre=centre, actor=inspector)
        made += 1
    return f"标准化考核演示：新增 {made} 次考核"


def survey_item_keys(survey: Any) -> list[str]:
    return [item.measure.key for item in survey_items(survey)]
