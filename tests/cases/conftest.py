"""Case-flow fixtures: the persona hall (吕四港镇 with two villages) plus a 民政 department with two AB
posts at the town (审核岗: A 张海峰 / B 李秀梅; 审批岗: A 李秀梅 / B 张海峰) and sample matters:

- `flow.matter`: 最低生活保障申请, 承诺件, 10 working days, 民生 window, materials: ID (required),
  household register (required, 可容缺), income proof (required, 可告知承诺), photo (optional);
  the town handles it, the village forwards it (MODE-4).
- `flow.immediate`: 即办件 (limit 0), one material.
Times are frozen by the tests; the town's sign-in deadline is late so "not signed in" never reroutes
unless a test wants it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from govhall.accounts.models import Role
from govhall.catalog.models import (
    CaseType,
    CentreMatter,
    CentreServiceMode,
    Material,
    Matter,
    MatterStatus,
    MatterVersion,
    VersionState,
)
from govhall.orgs.models import Department, Post
from tests.factories import DepartmentFactory, PostFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
ID_ZHANG = "110101199003071233"  # valid check digit
ID_LI = "320681198805120029"
ID_AGENT = "320681197001010014"
USCC = "91320681MA1MXXXX0D"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def valid_id(first17: str) -> str:
    from govhall.core.ids import id_card_check_digit

    return first17 + id_card_check_digit(first17)


def make_matter(
    *,
    department: Department,
    name: str,
    code: str,
    case_type: int = CaseType.PROMISED,
    promised_limit: int = 10,
    window_class: str = "minsheng",
    steps: list[str] | None = None,
    materials: list[dict[str, Any]] | None = None,
    special: list[str] | None = None,
    check_method: str = "",
    check_days: int | None = None,
    rongque_days: int | None = None,
    service_objects: str = "1",
    result_name: str = "",
) -> Matter:
    matter = Matter.objects.create(code=code, basic_code=code[:10], name=name, status=MatterStatus.ACTIVE)
    version = MatterVersion.objects.create(
        matter=matter,
        number=1,
        state=VersionState.PUBLISHED,
        name=name,
        matter_type="05",
        legal_basis="《社会救助暂行办法》",
        levels="5,6",
        department=department,
        implementing_body=department.name,
        category="social_management",
        window_class=window_class,
        promised_limit=promised_limit,
        legal_limit=20,
        case_type=case_type,
        approval_steps=steps or ["受理", "审核", "审批"],
        special_procedures=special or [],
        check_method=check_method,
        check_days=check_days,
        rongque_supply_days=rongque_days,
        service_objects=service_objects,
        result_name=result_name,
    )
    for order, spec in enumerate(materials or [{"name": "申请人居民身份证"}], start=1):
        Material.objects.create(
            version=version,
            order=order,
            originals=1,
            copies=spec.get("copies", 1),
            commitment_text=("本人承诺所填收入情况真实" if spec.get("commitment") else ""),
            **{k: v for k, v in spec.items() if k != "copies"},
        )
    matter.current_version = version
    matter.save(update_fields=["current_version"])
    return matter


@dataclass
class Flow:
    hall: Any
    department: Department
    matter: Matter
    immediate: Matter
    review_post: Post
    approve_post: Post
    approver: Any
    other_department: Department

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hall, name)

    def materials(self, matter: Matter | None = None) -> list[Material]:
        return list((matter or self.matter).current_version.materials.order_by("order"))


def make_flow(hall: Any) -> Flow:
    from govhall.staffing.models import AttendanceSettings

    department = DepartmentFactory(code="MZ", name="启东市民政局", short_name="民政")
    other = DepartmentFactory(code="ZJ", name="启东市住房和城乡建设局", short_name="住建")
    for centre in (hall.town, hall.village, hall.other_village):
        AttendanceSettings.objects.create(centre=centre, sign_in_deadline=dt.time(23, 59))
    approver = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="李秀梅")
    review = PostFactory(
        centre=hall.town, name="民政审核岗", department=department, a_staff=hall.back_office, b_staff=approver
    )
    approve = PostFactory(
        centre=hall.town, name="民政审批岗", department=department, a_staff=approver, b_staff=hall.back_office
    )
    hall.town.director = hall.director
    hall.town.save(update_fields=["director"])
    matter = make_matter(
        department=department,
        name="最低生活保障申请",
        code="320681MZ05001005",
        rongque_days=5,
        check_method="site",
        check_days=20,
        special=["publicity", "site_survey"],
        result_name="最低生活保障证",
        materials=[
            {"name": "申请人居民身份证"},
            {"name": "居民户口簿", "rongque": True},
            {"name": "家庭收入情况证明", "commitment": True},
            {"name": "近期免冠照片", "required": False},
        ],
    )
    immediate = make_matter(
        department=department,
        name="残疾人证补办申请",
        code="320681MZ05002005",
        case_type=CaseType.IMMEDIATE,
        promised_limit=0,
    )
    for m in (matter, immediate):
        CentreMatter.objects.create(centre=hall.town, matter=m)
        CentreMatter.objects.create(centre=hall.village, matter=m, service_mode=CentreServiceMode.FORWARD)
    return Flow(
        hall=hall,
        department=department,
        matter=matter,
        immediate=immediate,
        review_post=review,
        approve_post=approve,
        approver=approver,
        other_department=other,
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fixed_clock() -> Any:
    """Every case test runs on a known working day (Tue 9 June 2026, 09:00) unless it travels itself, so
    deadlines never depend on the day the suite runs (late December would cross into an unknown year)."""
    import time_machine

    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=True):
        yield


@pytest.fixture
def flow(hall: Any) -> Flow:
    return make_flow(hall)


def applicant(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "person",
        "name": "张三",
        "id_type": "id_card",
        "id_number": ID_ZHANG,
        "phone": "13800138000",
        "address": "启东市吕四港镇鹤城路1号",
    }
    data.update(overrides)
    return data


def all_received(matter: Matter, *, except_names: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"material_id": m.pk, "status": "missing" if m.name in except_names else "received"}
        for m in matter.current_version.materials.all()
    ]


def receive(
    flow: Flow,
    *,
    actor: Any = None,
    matter: Matter | None = None,
    missing: tuple[str, ...] = (),
    **kwargs: Any,
) -> Any:
    from govhall.cases.services import case_receive

    matter = matter or flow.matter
    actor = actor or flow.front_desk
    window = kwargs.pop("window_id", None)
    if window is None and actor.centre_id == flow.town.pk:
        window = flow.windows["minsheng"].pk
    return case_receive(
        actor=actor,
        matter_id=matter.pk,
        applicant=kwargs.pop("applicant", applicant()),
        materials=all_received(matter, except_names=missing),
        window_id=window,
        **kwargs,
    )


def material(case: Any, name: str) -> Any:
    return case.materials.get(name=name)
