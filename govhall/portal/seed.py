"""Built-in portal data: the 主题服务 the bureau starts from (it edits them in the admin) and the policy
documents of the disclosure pages (the notice 启政办发〔2020〕37号 in full).

Themes link matters of the catalogue by name; a name the catalogue does not have is skipped, so the
bureau's own official list can replace the sample catalogue without breaking this seed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from govhall.catalog.models import Matter
from govhall.portal.models import Policy, Theme, ThemeAudience, ThemeMatter

DATA = Path(__file__).resolve().parent / "data"

THEMES: list[tuple[str, str, str, str, list[str]]] = [
    (
        "shengyu",
        "生育",
        ThemeAudience.PERSON,
        "孩子出生前后要办的事：生育登记、出生落户、参保。",
        ["生育登记", "出生登记", "城乡居民基本医疗保险参保登记", "生育登记代办"],
    ),
    (
        "shangxue",
        "上学",
        ThemeAudience.PERSON,
        "入学前准备：居住证、户口、身份证。",
        ["居住证申领", "户口市内迁移", "居民身份证申领、换领"],
    ),
    (
        "jiuye",
        "就业",
        ThemeAudience.PERSON,
        "找工作、灵活就业、公益性岗位和相关补贴。",
        [
            "就业失业登记",
            "灵活就业人员社会保险补贴申请",
            "个人住房公积金缴存登记",
            "就业失业登记代办",
            "公益性岗位申请代办",
        ],
    ),
    (
        "yanglao",
        "养老",
        ThemeAudience.PERSON,
        "养老保险、高龄津贴、退休提取公积金。",
        [
            "城乡居民基本养老保险参保登记",
            "高龄津贴申领",
            "住房公积金提取（退休、购房）",
            "城乡居民基本养老保险参保缴费代办",
            "高龄津贴申领代办",
        ],
    ),
    (
        "canjiren",
        "残疾人",
        ThemeAudience.PERSON,
        "残疾人证和两项补贴。",
        ["残疾人证申领", "困难残疾人生活补贴和重度残疾人护理补贴申请", "残疾人证申领代办"],
    ),
    (
        "jianfang",
        "建房",
        ThemeAudience.PERSON,
        "农村建房审批、规划许可、危房改造和水电报装。",
        [
            "农村村民住宅建设审批",
            "乡村建设规划许可证核发",
            "农村危房改造补助申请",
            "农村村民建房申请代办",
            "居民生活用水报装",
            "低压居民用电报装",
        ],
    ),
    (
        "getihu",
        "开办个体工商户",
        ThemeAudience.ENTERPRISE,
        "从登记到领发票，开店一次办好。",
        [
            "个体工商户设立登记",
            "食品经营许可（小餐饮）",
            "发票领用",
            "个体工商户定期定额核定",
            "个体工商户变更登记",
        ],
    ),
    (
        "shehuijiuzhu",
        "社会救助",
        ThemeAudience.PERSON,
        "低保、特困、临时救助和法律援助。",
        [
            "最低生活保障申请",
            "特困人员救助供养申请",
            "临时救助申请",
            "法律援助申请",
            "基本殡葬服务费用减免",
            "最低生活保障申请代办",
            "临时救助申请代办",
            "特困人员救助供养申请代办",
        ],
    ),
]

NOTICE_TITLE = "市政府办公室关于进一步推进镇及村政务服务机构规范化标准化建设的通知"


def load_builtin() -> str:
    linked = 0
    for order, (slug, name, audience, description, matter_names) in enumerate(THEMES, start=1):
        theme, _ = Theme.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "audience": audience, "description": description, "order": order * 10},
        )
        matters = {m.name: m for m in Matter.objects.filter(name__in=matter_names)}
        for position, matter_name in enumerate(matter_names, start=1):
            matter = matters.get(matter_name)
            if matter is not None:
                _, created = ThemeMatter.objects.get_or_create(
                    theme=theme, matter=matter, defaults={"order": position * 10}
                )
                linked += created
    Policy.objects.get_or_create(
        doc_number="启政办发〔2020〕37号",
        centre=None,
        defaults={
            "title": NOTICE_TITLE,
            "issuer": "启东市人民政府办公室",
            "published_on": dt.date(2020, 5, 22),
            "summary": "镇设为民服务中心、村设便民服务中心；统一名称、功能分区、窗口设置、运行模式和服务制度。",
            "body": (DATA / "qidong-notice-2020-37.txt").read_text(encoding="utf-8").strip(),
            "order": 1,
        },
    )
    return f"portal: {len(THEMES)} themes ({linked} new matter links), policies {Policy.objects.count()}"
