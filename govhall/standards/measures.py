"""What a rule can measure (SITE-1..7): a fixed registry, so a rule set stays data while every rule in
it can be checked before it is published.

Two sources:
- ``survey``: typed in by an inspector on site (area, zones, counters, facilities, safety items), with
  the range a real value can take: a value outside it is a typing error and is refused;
- ``org``: read from the organisation data at assessment time (windows, staff, the agent, the name),
  never typed in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from govhall.accounts.models import Role
from govhall.orgs.models import Centre, WindowClass

NUMBER = "number"  # a measured quantity (m², cm)
COUNT = "count"  # a whole number of things
BOOL = "bool"  # an item present or absent
TEXT = "text"  # the centre's name

SURVEY = "survey"
ORG = "org"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    source: str
    kind: str
    unit: str = ""
    group: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    hint: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, COUNT)


def _survey_number(key: str, label: str, unit: str, group: str, lo: int, hi: int, hint: str = "") -> Measure:
    return Measure(key, label, SURVEY, NUMBER, unit, group, Decimal(lo), Decimal(hi), hint)


def _survey_count(key: str, label: str, unit: str, group: str, hi: int) -> Measure:
    return Measure(key, label, SURVEY, COUNT, unit, group, Decimal(0), Decimal(hi))


def _item(key: str, label: str, group: str, hint: str = "") -> Measure:
    return Measure(key, label, SURVEY, BOOL, "", group, hint=hint)


def _org_count(key: str, label: str, group: str, unit: str = "个") -> Measure:
    return Measure(key, label, ORG, COUNT, unit, group)


# Survey groups, in the order an inspector walks the hall.
GROUP_AREA = "场所面积"
GROUP_ZONES = "功能区域"
GROUP_COUNTERS = "柜台设置"
GROUP_FACILITIES = "服务设施"
GROUP_SAFETY = "应急安全设施"
GROUP_WINDOWS = "窗口设置"
GROUP_STAFF = "人员配备"
GROUP_NAME = "场所名称"

SURVEY_GROUPS = [GROUP_AREA, GROUP_ZONES, GROUP_COUNTERS, GROUP_FACILITIES, GROUP_SAFETY]

# Professional windows of SITE-5: the department's short name and code (orgs seed DEPARTMENTS).
PROFESSIONAL_DEPARTMENTS: list[tuple[str, str, str]] = [
    ("prof_ga", "公安", "GA"),
    ("prof_sw", "税务", "SW"),
    ("prof_rs", "人社", "RS"),
    ("prof_yb", "医保", "YB"),
    ("prof_gjj", "公积金", "GJJ"),
    ("prof_sg", "市管", "SG"),
]

MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        # SITE-1
        _survey_number("hall_area", "大厅服务面积", "m²", GROUP_AREA, 0, 50000, "按大厅实际服务面积测量"),
        _survey_count("office_rooms", "办公用房", "间", GROUP_AREA, 200),
        # SITE-3
        _item("zone_window", "窗口服务区", GROUP_ZONES),
        _item("zone_consult", "咨询服务区", GROUP_ZONES),
        _item("zone_self_service", "自助服务区", GROUP_ZONES),
        _item("zone_disclosure", "信息公开区", GROUP_ZONES),
        _item("zone_agency", "代办服务专区", GROUP_ZONES),
        _item("zone_bidding", "项目开标室", GROUP_ZONES),
        _item("zone_waiting", "等候休息区", GROUP_ZONES),
        _item("zone_24h", "24小时自助服务区", GROUP_ZONES),
        # SITE-4
        _survey_number("counter_height", "柜台高度", "cm", GROUP_COUNTERS, 40, 150, "敞开式业务办理前台"),
        _survey_number("counter_width", "柜台宽度", "cm", GROUP_COUNTERS, 30, 300),
        _item("counter_computer", "柜台配备电脑", GROUP_COUNTERS),
        _item("counter_printer", "柜台配备打印机", GROUP_COUNTERS),
        _item("counter_scanner", "柜台配备高拍仪（扫描仪）", GROUP_COUNTERS),
        _item("counter_phone", "柜台配备电话", GROUP_COUNTERS),
        _item("counter_desk_items", "桌面放置岗位公示牌、办事指南、一次性告知单", GROUP_COUNTERS),
        # SITE-7
        _item("guide_desk", "入口导服台", GROUP_FACILITIES),
        _item("convenience_box", "便民箱", GROUP_FACILITIES),
        _item("first_aid_kit", "急救箱", GROUP_FACILITIES),
        _item("umbrellas", "雨伞", GROUP_FACILITIES),
        _item("suggestion_box", "意见箱", GROUP_FACILITIES),
        _item("display_screen", "电子显示屏（滚动发布政策、事项、时限、收费、投诉电话）", GROUP_FACILITIES),
        _item("form_desk", "便民填写台（表格填写范本及书写工具）", GROUP_FACILITIES),
        _item("self_service_terminal", "自助服务终端", GROUP_FACILITIES),
        _item("barrier_free_passage", "无障碍通道", GROUP_FACILITIES),
        _item("barrier_free_toilet", "无障碍卫生间", GROUP_FACILITIES),
        _item("mother_baby_room", "母婴室", GROUP_FACILITIES),
        _item("fire_equipment", "防火灭火设备", GROUP_SAFETY),
        _item("emergency_exit", "紧急逃生通道", GROUP_SAFETY),
        _item("emergency_lighting", "应急照明", GROUP_SAFETY),
        # SITE-5, from the windows
        _org_count("windows_total", "窗口总数", GROUP_WINDOWS),
        _org_count("windows_minsheng", "民生综合窗口", GROUP_WINDOWS),
        _org_count("windows_jianshe", "建设综合窗口", GROUP_WINDOWS),
        _org_count("windows_shizheng", "市政公共服务综合窗口", GROUP_WINDOWS),
        _org_count("windows_qita", "其他事项综合窗口", GROUP_WINDOWS),
        _org_count("windows_quanke", "全科窗口", GROUP_WINDOWS),
        *[
            _org_count(key, f"{short}专业窗口", GROUP_WINDOWS)
            for key, short, _code in PROFESSIONAL_DEPARTMENTS
        ],
        _org_count("samecity_exit_entry", "公安出入境专窗（同城通办）", GROUP_WINDOWS),
        _org_count("samecity_tax", "税务专窗（同城通办）", GROUP_WINDOWS),
        _org_count("samecity_gjj", "公积金专窗（同城通办）", GROUP_WINDOWS),
        # SITE-6, from the staff
        _org_count("auxiliary_staff", "辅助人员", GROUP_STAFF, "人"),
        _org_count("agents", "代办员", GROUP_STAFF, "人"),
        # SITE-2
        Measure("centre_name", "中心名称", ORG, TEXT, "", GROUP_NAME),
    ]
}


def org_measures(centre: Centre) -> dict[str, Any]:
    """Everything the organisation data says about a centre, read now (three queries)."""
    windows = centre.windows.filter(is_active=True)
    professional = Q(window_class=WindowClass.PROFESSIONAL)

    def dept(short: str, code: str) -> Q:
        return professional & (Q(department__short_name=short) | Q(department__code=code))

    exit_entry = dept("公安", "GA") & Q(name__contains="出入境", same_city=True)
    aggregates: dict[str, Any] = {
        "windows_total": Count("pk"),
        **{
            f"windows_{klass}": Count("pk", filter=Q(window_class=klass))
            for klass in ("minsheng", "jianshe", "shizheng", "qita", "quanke")
        },
        **{key: Count("pk", filter=dept(short, code)) for key, short, code in PROFESSIONAL_DEPARTMENTS},
        "samecity_exit_entry": Count("pk", filter=exit_entry),
        "samecity_tax": Count("pk", filter=dept("税务", "SW") & Q(same_city=True)),
        "samecity_gjj": Count("pk", filter=dept("公积金", "GJJ") & Q(same_city=True)),
    }
    values: dict[str, Any] = dict(windows.aggregate(**aggregates))
    staff = centre.staff.filter(is_active=True).aggregate(
        auxiliary_staff=Count("pk", filter=Q(is_auxiliary=True), distinct=True),
        agents=Count("pk", filter=Q(role_rows__role=Role.AGENT), distinct=True),
    )
    values.update(staff)
    values["centre_name"] = centre.name
    return values
