"""Qidong's built-in organisation (ORG-1, ORG-2) and a demo set of windows, posts and staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govhall.accounts.models import Role, User, UserRole
from govhall.orgs.models import (
    Centre,
    Department,
    Division,
    DivisionKind,
    Post,
    TownClass,
    Window,
    WindowClass,
)
from govhall.orgs.services import (
    CITY_CODE,
    centre_contacts_fill_placeholders,
    centre_ensure,
    division_convert,
    divisions_import_csv,
)

DATA = Path(__file__).resolve().parent / "data"

# ORG-1: the notice's twelve towns and their classes.
TOWN_CLASSES: dict[str, int] = {
    "吕四港镇": TownClass.FIRST,
    "汇龙镇": TownClass.FIRST,
    "北新镇": TownClass.SECOND,
    "南阳镇": TownClass.SECOND,
    "近海镇": TownClass.SECOND,
    "寅阳镇": TownClass.SECOND,
    "惠萍镇": TownClass.THIRD,
    "海复镇": TownClass.THIRD,
    "东海镇": TownClass.THIRD,
    "合作镇": TownClass.THIRD,
    "王鲍镇": TownClass.THIRD,
    "启隆镇": TownClass.THIRD,
}
# Towns of the notice that the 2023 codes list as development zones: (historical code, zone code).
CONVERTED_TOWNS: dict[str, tuple[str, str]] = {
    "近海镇": ("320681103000", "320681401000"),
    "寅阳镇": ("320681105000", "320681405000"),
    "启隆镇": ("320681111000", "320681404000"),
}
CONVERSION_DATE = dt.date(2020, 12, 31)

DEPARTMENTS: list[tuple[str, str, str]] = [
    ("SPJ", "启东市行政审批局", "审批局"),
    ("CZ", "启东市财政局", "财政"),
    ("MZ", "启东市民政局", "民政"),
    ("CL", "启东市残疾人联合会", "残联"),
    ("WJ", "启东市卫生健康委员会", "卫健"),
    ("ZJ", "启东市住房和城乡建设局", "住建"),
    ("CG", "启东市城市管理局", "城管"),
    ("ZRZY", "南通市自然资源和规划局启东分局", "自然资源"),
    ("GA", "启东市公安局", "公安"),
    ("SW", "国家税务总局启东市税务局", "税务"),
    ("RS", "启东市人力资源和社会保障局", "人社"),
    ("YB", "启东市医疗保障局", "医保"),
    ("GJJ", "南通市住房公积金管理中心启东管理部", "公积金"),
    ("SG", "启东市市场监督管理局", "市管"),
    ("NY", "启东市农业农村局", "农业农村"),
    ("SF", "启东市司法局", "司法"),
    ("TY", "启东市退役军人事务局", "退役军人"),
    ("GS", "启东市自来水公司", "供水"),
    ("GD", "国网江苏省电力有限公司启东市供电分公司", "供电"),
    ("YX", "江苏有线启东分公司", "有线电视"),
    ("TX", "中国电信启东分公司", "通讯"),
    ("RQ", "启东市燃气有限公司", "燃气"),
]


def load_builtin() -> str:
    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    Division.objects.get_or_create(
        code=CITY_CODE, defaults={"name": "启东市", "kind": DivisionKind.CITY, "source": "内置"}
    )
    streets = divisions_import_csv(DATA / "qidong_streets_320681.csv")
    for name, (old_code, zone_code) in CONVERTED_TOWNS.items():
        town, _ = Division.objects.get_or_create(
            code=old_code,
            defaults={
                "name": name,
                "kind": DivisionKind.TOWN,
                "town_class": TOWN_CLASSES[name],
                "source": "启政办发〔2020〕37号（历史区划，代码待核）",
                "parent": Division.objects.get(code=CITY_CODE),
            },
        )
        division_convert(
            town=town,
            zone=Division.objects.get(code=zone_code),
            effective=CONVERSION_DATE,
            note="2023年统计用区划代码中该镇村居列入开发区/园区",
        )
    for division in Division.objects.towns():
        klass = TOWN_CLASSES.get(division.name)
        if klass and division.town_class != klass:
            division.town_class = klass
            division.save(update_fields=["town_class"])
    villages = divisions_import_csv(DATA / "qidong_villages_320681.csv")
    # One centre per town of the notice (the zone where it was converted) and per village under it.
    town_units = Division.objects.towns().active().filter(town_class__isnull=False)
    for town in town_units:
        centre_ensure(town)
    for village in Division.objects.villages().active().select_related("parent"):
        if "虚拟社区" not in village.register_name:
            centre_ensure(village)
    centre_contacts_fill_placeholders()
    return (
        f"区划：镇级 {streets.summary()}；村居 {villages.summary()}；"
        f"服务中心 {Centre.objects.filter(is_active=True).count()} 个（镇 {town_units.count()} 个）"
    )


# ---------------------------------------------------------------------------------------------------
# Demo set: windows and staff for two towns and two villages. Passwords are printed by `make run`.

DEMO_PASSWORD = "Govhall2026demo"  # noqa: S105 - demo accounts, printed by `make run`

TOWN_WINDOWS: list[tuple[int, str, str, str | None, bool]] = [
    (1, "民生综合窗口", WindowClass.MINSHENG, None, False),
    (2, "民生综合窗口", WindowClass.MINSHENG, None, False),
    (3, "建设综合窗口", WindowClass.JIANSHE, None, False),
    (4, "建设综合窗口", WindowClass.JIANSHE, None, False),
    (5, "市政公共服务综合窗口", WindowClass.SHIZHENG, None, False),
    (6, "其他事项综合窗口", WindowClass.QITA, None, False),
    (7, "公安户籍窗口", WindowClass.PROFESSIONAL, "GA", False),
    (8, "税务窗口", WindowClass.PROFESSIONAL, "SW", True),
    (9, "人社窗口", WindowClass.PROFESSIONAL, "RS", False),
    (10, "医保窗口", WindowClass.PROFESSIONAL, "YB", False),
    (11, "公积金窗口", WindowClass.PROFESSIONAL, "GJJ", True),
    (12, "市场监管窗口", WindowClass.PROFESSIONAL, "SG", False),
    (13, "出入境窗口", WindowClass.PROFESSIONAL, "GA", True),
]


def _window_set(centre: Centre, first_class: bool) -> None:
    for number, name, klass, dept_code, same_city in TOWN_WINDOWS:
        if not first_class and number == 13:
            continue
        Window.objects.update_or_create(
            centre=centre,
            number=number,
            defaults={
                "name": name,
                "window_class": klass,
                "same_city": same_city and first_class,
                "department": Department.objects.get(code=dept_code) if dept_code else None,
            },
        )


def _staff(
    username: str,
    full_name: str,
    staff_no: str,
    roles: Sequence[str],
    *,
    centre: Centre | None = None,
    unit: str = "centre",
    department: Department | None = None,
    auxiliary: bool = False,
) -> Any:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(DEMO_PASSWORD)
    user.full_name, user.staff_no, user.unit_kind = full_name, staff_no, unit
    user.centre, user.department, user.is_auxiliary = centre, department, auxiliary
    user.is_staff = unit == "bureau"
    user.save()
    for role in roles:
        UserRole.objects.get_or_create(user=user, role=role)
    return user


def load_demo() -> str:
    lvsi = Centre.objects.get(is_active=True, division__name="吕四港镇")
    huilong = Centre.objects.get(is_active=True, division__name="汇龙镇")
    huiping = Centre.objects.get(is_active=True, division__name="惠萍镇")
    _window_set(lvsi, True)
    _window_set(huilong, True)
    xingfu = Centre.objects.get(is_active=True, division__register_name="幸福一村居委会")
    village2 = Centre.objects.filter(is_active=True, parent=lvsi).order_by("division__code").first()
    assert village2 is not None, "吕四港镇 has villages (load_builtin runs first)"
    for village in (xingfu, village2):
        for n in (1, 2, 3):
            Window.objects.update_or_create(
                centre=village, number=n, defaults={"name": "全科窗口", "window_class": WindowClass.QUANKE}
            )

    accounts = [
        ("bureau_admin", "周局长", "SPJ001", [Role.BUREAU_ADMIN], None, "bureau"),
        ("inspector", "钱考核", "SPJ002", [Role.INSPECTOR], None, "bureau"),
        ("lvsi_director", "陈主任", "LS001", [Role.DIRECTOR], lvsi, "centre"),
        ("lvsi_front", "王晓燕", "LS101", [Role.FRONT_DESK], lvsi, "centre"),
        ("lvsi_front2", "刘建国", "LS102", [Role.FRONT_DESK], lvsi, "centre"),
        ("lvsi_back", "张海峰", "LS201", [Role.BACK_OFFICE], lvsi, "centre"),
        ("lvsi_back2", "李秀梅", "LS202", [Role.BACK_OFFICE], lvsi, "centre"),
        ("lvsi_guide", "赵导服", "LS301", [Role.GUIDE], lvsi, "centre"),
        ("lvsi_agent", "孙代办", "LS401", [Role.AGENT], lvsi, "centre"),
        ("huilong_director", "黄主任", "HL001", [Role.DIRECTOR], huilong, "centre"),
        ("huilong_front", "吴敏", "HL101", [Role.FRONT_DESK], huilong, "centre"),
        ("huiping_director", "郑主任", "HP001", [Role.DIRECTOR], huiping, "centre"),
        ("xingfu_clerk", "冯村干", "XF001", [Role.VILLAGE_CLERK, Role.AGENT], xingfu, "centre"),
        ("village_clerk", "蒋村干", "LSV001", [Role.VILLAGE_CLERK, Role.AGENT], village2, "centre"),
    ]
    users = {}
    for username, name, no, roles, centre, unit in accounts:
        users[username] = _staff(username, name, no, roles, centre=centre, unit=unit)
    users["dept_mz"] = _staff(
        "dept_mz",
        "民政联络员",
        "MZ001",
        [Role.DEPT_LIAISON],
        unit="department",
        department=Department.objects.get(code="MZ"),
    )
    for i in range(1, 23):  # auxiliary staff: SITE-6 asks for twice the window count
        _staff(
            f"lvsi_aux{i:02d}",
            f"辅助人员{i:02d}",
            f"LSA{i:03d}",
            [Role.FRONT_DESK],
            centre=lvsi,
            auxiliary=True,
        )
    for centre, director in (
        (lvsi, "lvsi_director"),
        (huilong, "huilong_director"),
        (huiping, "huiping_director"),
        (xingfu, "xingfu_clerk"),
        (village2, "village_clerk"),
    ):
        if centre.director_id is None:
            centre.director = users[director]
            centre.save(update_fields=["director"])
    mz = Department.objects.get(code="MZ")
    Post.objects.update_or_create(
        centre=lvsi,
        name="民生受理岗",
        defaults={
            "window": Window.objects.get(centre=lvsi, number=1),
            "a_staff": users["lvsi_front"],
            "b_staff": users["lvsi_front2"],
        },
    )
    Post.objects.update_or_create(
        centre=lvsi,
        name="民政审批岗",
        defaults={"department": mz, "a_staff": users["lvsi_back"], "b_staff": users["lvsi_back2"]},
    )

    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for username, name, _no, roles, centre, _unit in accounts:
        where = centre.name if centre else "启东市行政审批局"
        lines.append(f"  {username:<17} {name} · {'、'.join(r.label for r in roles)} · {where}")
    lines.append(f"  {'dept_mz':<17} 民政联络员 · 部门联络员 · 启东市民政局")
    return "\n".join(lines)
