"""Portal fixtures: a small published catalogue in the 吕四港镇 hall, themes and policies, citizens, and
the SMS codes read back from the notification outbox (the log backend's rows)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest

from govhall.accounts.models import Role
from govhall.catalog import services as catalog
from govhall.catalog.models import Matter
from govhall.core.crypto import lookup_digest
from govhall.core.ids import id_card_check_digit, uscc_check_char
from govhall.orgs.models import Department
from govhall.portal.models import AccountKind, Citizen, IdentityLevel, Policy, Theme, ThemeMatter
from tests.catalog.conftest import departments, materials_data  # noqa: F401 (the fixture, shared)
from tests.catalog.conftest import matter_data as catalog_matter_data

PASSWORD = "Shimin2026pw"


def valid_id(first17: str = "32068119580301123") -> str:
    return first17 + id_card_check_digit(first17)


def valid_uscc(first17: str = "91320681MA1XYW123") -> str:
    return first17 + uscc_check_char(first17)


def matter_data(**overrides: Any) -> dict[str, Any]:
    """The catalogue tests' valid 承诺件 (最低生活保障申请), offered online on a phone or computer."""
    data = catalog_matter_data(
        supports_online=True,
        handling_forms="1,2,3",
        acceptance_conditions="家庭人均收入低于当地最低生活保障标准。",
    )
    data.update(overrides)
    return data


NEW_CONDITIONS = "家庭人均收入低于当地最低生活保障标准，且家庭财产符合规定。"


def publish_new_conditions(matter: Matter) -> None:
    """The bureau publishes a second version of the matter with stricter acceptance conditions (its guide
    then ends in 「且家庭财产符合规定。」)."""
    catalog.matter_change_publish(
        actor=None,
        matter=matter,
        data=matter_data(acceptance_conditions=NEW_CONDITIONS),
        materials=None,
        reason="调整受理条件",
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_matter(departments: dict[str, Department]) -> Callable[..., Matter]:  # noqa: F811
    counter = {"n": 0}

    def make(
        *,
        code: str | None = None,
        centres: tuple[Any, ...] = (),
        materials: list[dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> Matter:
        counter["n"] += 1
        code = code or f"3206810PTL{counter['n']:04d}"
        matter = catalog.matter_create(
            actor=None,
            code=code,
            basic_code=f"P{counter['n']:04d}",
            data=matter_data(**overrides),
            materials=materials if materials is not None else materials_data(),
        )
        catalog.matter_publish(actor=None, matter=matter, reason="测试")
        matter.refresh_from_db()
        for centre in centres:
            catalog.centre_matter_assign(actor=None, centre=centre, matter=matter)
        return matter

    return make


@pytest.fixture
def world(hall: Any, make_matter: Callable[..., Matter]) -> Any:
    """The 吕四港镇 hall with three matters (低保 online with 告知承诺; 用水报装 window only; a village matter),
    a theme and the notice as a city policy plus one policy of the town centre."""
    hall.town.address = "启东市吕四港镇鹤城北路1号"
    hall.town.phone = "0513-83210000"
    hall.town.supervision_phone = "0513-83219999"
    hall.town.save()
    hall.dibao = make_matter(centres=(hall.town,), supports_express=True)
    # The back office of 民政 at the town (AB posts), so accepted cases can be routed (MODE-1, STD-4).
    from govhall.staffing.models import AttendanceSettings
    from tests.factories import PostFactory, UserFactory

    AttendanceSettings.objects.create(centre=hall.town, sign_in_deadline=dt.time(23, 59))
    approver = UserFactory(centre=hall.town, roles=[Role.BACK_OFFICE], full_name="李秀梅")
    PostFactory(
        centre=hall.town,
        name="民政审核岗",
        department=hall.dibao.current_version.department,
        a_staff=hall.back_office,
        b_staff=approver,
    )
    PostFactory(
        centre=hall.town,
        name="民政审批岗",
        department=hall.dibao.current_version.department,
        a_staff=approver,
        b_staff=hall.back_office,
    )
    hall.water = make_matter(
        name="居民生活用水报装",
        department="GS",
        category="living",
        window_class="shizheng",
        supports_online=False,
        handling_forms="1",
        charges=True,
        fee_amount="120.00",
        fee_note="按管径收取",
        fee_basis="供水企业收费标准",
        promised_limit=3,
        legal_limit=None,
        check_method="",
        check_days=None,
        rongque_supply_days=None,
        materials=[{"name": "房屋产权证明", "copies": 1}],
        centres=(hall.town,),
    )
    hall.village_matter = make_matter(
        name="高龄津贴申领代办",
        levels="6",
        category="v_relief",
        supports_online=False,
        handling_forms="1",
        case_type=1,
        promised_limit=0,
        check_method="",
        check_days=None,
        rongque_supply_days=None,
        materials=[{"name": "申请人居民身份证", "originals": 1}],
        centres=(hall.village,),
    )
    hall.theme = Theme.objects.create(
        slug="shehuijiuzhu", name="社会救助", description="低保、特困、临时救助。"
    )
    ThemeMatter.objects.create(theme=hall.theme, matter=hall.dibao)
    hall.notice = Policy.objects.create(
        title="关于进一步推进镇及村政务服务机构规范化标准化建设的通知",
        doc_number="启政办发〔2020〕37号",
        issuer="启东市人民政府办公室",
        published_on="2020-05-22",
        body="一、工作目标……（全文）",
    )
    hall.town_policy = Policy.objects.create(
        title="吕四港镇为民服务中心延时服务公告",
        issuer="吕四港镇人民政府",
        published_on="2026-01-05",
        body="工作日中午不休息。",
        centre=hall.town,
    )
    hall.other_policy = Policy.objects.create(
        title="其他中心的公告", published_on="2026-01-06", body="……", centre=hall.other_village
    )
    return hall


@pytest.fixture
def make_citizen(db: object) -> Callable[..., Citizen]:
    counter = {"n": 0}

    def make(
        *,
        mobile: str | None = None,
        verified: bool = True,
        declared_only: bool = False,
        kind: str = AccountKind.PERSON,
        real_name: str = "李秀英",
        id_number: str | None = None,
        **extra: Any,
    ) -> Citizen:
        """An account; `verified` (default): real-name details checked by the 实名核验 backend;
        `declared_only`: details typed in, not checked; `verified=False`: none filled in."""
        counter["n"] += 1
        mobile = mobile or f"1390000{counter['n']:04d}"
        citizen = Citizen(kind=kind, mobile=mobile, mobile_digest=lookup_digest(mobile), **extra)
        citizen.set_password(PASSWORD)
        if verified or declared_only:
            from django.utils import timezone

            id_number = id_number or valid_id(
                f"32068119600{1 + counter['n'] % 9}{10 + counter['n'] % 18:02d}{counter['n']:03d}"
            )
            citizen.real_name, citizen.id_number, citizen.id_digest = (
                real_name,
                id_number,
                lookup_digest(id_number),
            )
            citizen.identity_level, citizen.declared_at = IdentityLevel.SELF_DECLARED, timezone.now()
            if verified and not declared_only:
                citizen.identity_level, citizen.verified_at = IdentityLevel.VERIFIED, timezone.now()
                citizen.verified_by = "统一身份认证平台"
            if kind == AccountKind.ENTERPRISE:
                citizen.org_name = citizen.org_name or "启东市海鲜小吃店"
                citizen.uscc = citizen.uscc or valid_uscc(f"92320681MA1AB{counter['n']:04d}")
        citizen.save()
        return citizen

    return make


def citizen_client(client: Any, citizen: Citizen) -> Any:
    """Sign the test client in as a citizen, through the real login page."""
    response = client.post("/portal/account/login/", {"mobile": citizen.mobile, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def last_sms(mobile: str) -> str:
    from govhall.exchange.models import Notification

    row = Notification.objects.filter(recipient_digest=lookup_digest(mobile)).order_by("-id").first()
    assert row is not None, f"no SMS to {mobile}"
    return row.text


def sms_code(mobile: str) -> str:
    match = re.search(r"验证码为(\d{6})", last_sms(mobile))
    assert match, last_sms(mobile)
    return match.group(1)


@pytest.fixture
def spring_clock() -> Any:
    """A Tuesday in March 2026, time running: due dates of accepted cases stay inside the years the working-day
    calendar knows (the real date may be late in the last known year)."""
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC), tick=True) as traveller:
        yield traveller


# --- a stand-in for the provincial 统一身份认证 / 公安 identity check ------------------------------------------------


class IdentityService:
    """The identity check as a real local HTTP server: checks the token and app key (401 when wrong, as the
    real gateway does), answers `match` for the (name, ID number) pairs in `people` and `no_match` otherwise,
    unless `responses` scripts the next answers: (status, payload) or ("sleep", seconds) to answer too late.
    Records every request."""

    TOKEN = "identity-token-0001"
    APP_KEY = "qidong-govhall"

    def __init__(self) -> None:
        self.people: set[tuple[str, str]] = set()
        self.requests: list[dict[str, Any]] = []
        self.responses: list[tuple[Any, Any]] = []
        self.url = ""


@pytest.fixture
def identity_service(settings: Any) -> Any:
    import json
    import time

    from tests.standin import JsonHandler, serving

    service = IdentityService()

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            service.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if (
                self.headers.get("Authorization") != f"Bearer {service.TOKEN}"
                or self.headers.get("X-App-Key") != service.APP_KEY
            ):
                return self.answer(401, {"error": "unauthorised"})
            if service.responses:
                first, second = service.responses.pop(0)
                if first == "sleep":
                    time.sleep(second)
                    return self.answer(200, {"result": "match", "reference": "too-late"})
                return self.answer(first, second)
            matched = (body.get("name"), body.get("id_number")) in service.people
            return self.answer(
                200,
                {
                    "result": "match" if matched else "no_match",
                    "reference": f"GA-{len(service.requests):06d}",
                },
            )

    with serving(Handler) as base:
        service.url = f"{base}/identity/check"
        settings.IDENTITY_BACKEND = "http"
        settings.IDENTITY_URL = service.url
        settings.IDENTITY_TOKEN = service.TOKEN
        settings.IDENTITY_APP_KEY = service.APP_KEY
        settings.IDENTITY_TIMEOUT = 2
        yield service
