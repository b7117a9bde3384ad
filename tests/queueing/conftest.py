"""Queue fixtures: the persona hall with a window per class, matters in its catalogue, a fixed clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.catalog.models import CentreMatter, Matter, MatterStatus, MatterVersion, VersionState
from govhall.orgs.models import Centre, Department, Window, WindowClass
from govhall.queueing import services
from tests.factories import DepartmentFactory, WindowFactory

TZ = ZoneInfo("Asia/Shanghai")
# A Tuesday, a working day, mid-morning in the hall.
MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def make_matter(
    centre: Centre | None,
    *,
    name: str,
    code: str,
    window_class: str = WindowClass.MINSHENG,
    window_department: Department | None = None,
    supports_appointment: bool = False,
    promised_limit: int = 5,
    charges: bool = False,
) -> Matter:
    dept = DepartmentFactory(code=f"M{code[-4:]}", short_name=f"主管{code[-4:]}")
    matter = Matter.objects.create(code=code, basic_code=code[:10], name=name, status=MatterStatus.ACTIVE)
    version = MatterVersion.objects.create(
        matter=matter,
        number=1,
        state=VersionState.PUBLISHED,
        name=name,
        matter_type="07",
        legal_basis="依据",
        department=dept,
        implementing_body="启东市某局",
        category="public_service",
        window_class=window_class,
        window_department=window_department,
        supports_appointment=supports_appointment,
        promised_limit=promised_limit,
        charges=charges,
        fee_amount=10 if charges else None,
    )
    matter.current_version = version
    matter.save(update_fields=["current_version"])
    if centre is not None:
        CentreMatter.objects.create(centre=centre, matter=matter)
    return matter


@dataclass
class Queue:
    hall: Any
    centre: Centre
    windows: dict[str, Window]
    police: Department
    police_window: Window
    birth: Matter  # 民生
    building: Matter  # 建设
    passport: Matter  # professional (公安)
    appointment_matter: Matter

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hall, name)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def q(hall: Any, clock: Any) -> Queue:
    centre = hall.town
    police = DepartmentFactory(code="GA", name="启东市公安局", short_name="公安")
    police_window = WindowFactory(
        centre=centre, number=5, name="公安专窗", window_class=WindowClass.PROFESSIONAL, department=police
    )
    return Queue(
        hall=hall,
        centre=centre,
        windows=dict(hall.windows),
        police=police,
        police_window=police_window,
        birth=make_matter(centre, name="生育登记", code="320681000001"),
        building=make_matter(
            centre, name="农村建房审批", code="320681000002", window_class=WindowClass.JIANSHE
        ),
        passport=make_matter(
            centre,
            name="户口迁移",
            code="320681000003",
            window_class=WindowClass.PROFESSIONAL,
            window_department=police,
        ),
        appointment_matter=make_matter(
            centre, name="城乡居民医保参保登记", code="320681000004", supports_appointment=True, charges=True
        ),
    )


def open_window(window: Window, user: Any) -> Window:
    services.window_open(window=window, by=user)
    return window


# A valid ID number of someone born 1950-05-01 (76 on MORNING) and one born 1990-01-01.
ELDER_ID = "320681195005010012"
YOUNG_ID = "320681199001010013"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The persona hall creates nine staff; argon2 would dominate these tests' run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
