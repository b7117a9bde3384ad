"""Issue 13, hole 1: the pluggable 实名核验 backend (GOVHALL_IDENTITY_BACKEND). The `http` backend is tested
against a real local HTTP server standing in for the provincial 统一身份认证 / 公安 check (`identity_service`
in conftest.py): a match verifies the account (which then sees the window cases under its ID number); a
mismatch, a server error or a timeout leaves it self-declared with a clear Chinese message, never a 5xx. A
second account verified for the same ID number takes it over and the first is told by SMS and on its pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.cases import services as cases
from govhall.cases.models import Case
from govhall.core.models import AuditEntry
from govhall.portal import identity
from govhall.portal.models import Citizen, IdentityLevel
from tests.portal.conftest import citizen_client, last_sms, valid_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring_clock")]

ID_WANG = valid_id("32068119400505123")


@pytest.fixture
def window_case(world: Any) -> Case:
    m = world.dibao.current_version.materials.all()
    return cases.case_receive(
        actor=world.front_desk,
        matter_id=world.dibao.pk,
        window_id=world.windows["minsheng"].pk,
        applicant={
            "kind": "person",
            "name": "王德福",
            "id_type": "id_card",
            "id_number": ID_WANG,
            "phone": "13800138000",
        },
        materials=[{"material_id": x.pk, "status": "received"} for x in m],
    )


def declare(client: Client, name: str = "王德福", id_number: str = ID_WANG) -> Any:
    return client.post("/portal/account/verify/", {"real_name": name, "id_number": id_number})


def test_a_match_verifies_the_account_which_then_sees_its_window_cases(
    client: Client, identity_service: Any, window_case: Case, make_citizen: Any
) -> None:
    identity_service.people.add(("王德福", ID_WANG))
    citizen = make_citizen(verified=False, mobile="13962800071")
    citizen_client(client, citizen)
    assert window_case.number not in client.get("/portal/my/cases/").content.decode()
    response = declare(client)
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.VERIFIED and citizen.verified_by == "统一身份认证平台"
    assert citizen.verified_ref == "GA-000001"
    sent = identity_service.requests[0]
    assert sent["body"] | {"request_id": ""} == {
        "request_id": "",
        "kind": "person",
        "name": "王德福",
        "id_number": ID_WANG,
        "mobile": "13962800071",
    }
    assert sent["headers"]["Authorization"] == "Bearer identity-token-0001"
    assert window_case.number in client.get("/portal/my/cases/").content.decode()
    assert "已核验" in client.get("/portal/account/").content.decode()
    entry = AuditEntry.objects.get(action="portal.citizen.identity_check")
    assert entry.after["outcome"] == "match" and ID_WANG not in str(entry.after)
    assert AuditEntry.objects.filter(action="portal.citizen.verify", object_id=str(citizen.pk)).exists()


def test_a_mismatch_keeps_the_account_self_declared_with_a_clear_message(
    client: Client, identity_service: Any, window_case: Case, make_citizen: Any
) -> None:
    citizen = make_citizen(verified=False)
    citizen_client(client, citizen)
    response = declare(client, name="<script>alert(1)</script>")
    assert response.status_code == 302 and response["Location"].startswith("/portal/account/verify/")
    html = client.get(response["Location"]).content.decode()
    assert "实名核验未通过：姓名与身份证号码不一致" in html and "<script>alert" not in html
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.SELF_DECLARED
    assert window_case.number not in client.get("/portal/my/cases/").content.decode()


@pytest.mark.parametrize(
    "scripted",
    [(500, {"error": "internal"}), (200, b"<html>gateway</html>"), (200, {"result": "maybe"}), ("sleep", 3)],
)
def test_a_service_error_or_timeout_is_a_clear_message_and_no_5xx(
    client: Client, identity_service: Any, make_citizen: Any, scripted: Any
) -> None:
    identity_service.people.add(("王德福", ID_WANG))
    identity_service.responses.append(scripted)
    citizen = make_citizen(verified=False)
    citizen_client(client, citizen)
    response = declare(client)
    assert response.status_code == 302
    html = client.get("/portal/account/").content.decode()
    assert "实名核验服务暂时无法使用，请稍后再试" in html
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.SELF_DECLARED and citizen.verified_at is None


def test_a_wrong_token_is_an_error_not_a_verification(
    client: Client, identity_service: Any, settings: Any, make_citizen: Any
) -> None:
    identity_service.people.add(("王德福", ID_WANG))
    settings.IDENTITY_TOKEN = "stale"
    citizen = make_citizen(verified=False)
    citizen_client(client, citizen)
    declare(client)
    citizen.refresh_from_db()
    assert not citizen.is_verified


def test_a_self_declared_account_can_ask_for_the_check_later(
    client: Client, identity_service: Any, make_citizen: Any
) -> None:
    citizen = make_citizen(declared_only=True, real_name="王德福", id_number=ID_WANG)
    identity_service.people.add(("王德福", ID_WANG))
    citizen_client(client, citizen)
    assert "提交实名核验" in client.get("/portal/account/verify/").content.decode()
    response = client.post("/portal/account/verify/", {"action": "check"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.is_verified


def test_checks_are_rate_limited_per_account(
    client: Client, identity_service: Any, make_citizen: Any, settings: Any
) -> None:
    """The check must not become an oracle for testing many name + ID number pairs."""
    settings.PORTAL_IDENTITY_CHECKS_PER_DAY = 2
    citizen_client(client, make_citizen(verified=False))
    for n in range(2):
        declare(client, name=f"猜测{n}")
    response = declare(client, name="猜测九")
    assert response.status_code == 429 and "实名核验次数已用完" in response.content.decode()
    assert len(identity_service.requests) == 2


def test_a_second_verified_account_takes_the_id_number_over_and_the_first_is_told(
    client: Client, identity_service: Any, window_case: Case, make_citizen: Any
) -> None:
    first = make_citizen(mobile="13962800081", id_number=ID_WANG, real_name="王德福")
    first_client = citizen_client(Client(), first)
    assert window_case.number in first_client.get("/portal/my/cases/").content.decode()

    identity_service.people.add(("王德福", ID_WANG))
    second = make_citizen(verified=False, mobile="13962800082")
    citizen_client(client, second)
    assert declare(client).status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_verified and first.identity_level == IdentityLevel.SELF_DECLARED
    assert window_case.number in client.get("/portal/my/cases/").content.decode()
    assert window_case.number not in first_client.get("/portal/my/cases/").content.decode()
    assert "另一账户通过实名核验绑定" in last_sms("13962800081")
    page = first_client.get("/portal/account/").content.decode()
    assert "账户提醒" in page and "另一账户通过实名核验绑定了您账户的身份证号码" in page
    assert AuditEntry.objects.filter(
        action="portal.citizen.identity_taken_over", object_id=str(first.pk)
    ).exists()
    first_client.post("/portal/account/notice/dismiss/")
    assert "账户提醒" not in first_client.get("/portal/account/").content.decode()


def test_the_default_backend_verifies_nobody(make_citizen: Any) -> None:
    from govhall.portal import services

    citizen = make_citizen(declared_only=True)
    result = services.citizen_identity_check(citizen=citizen)
    assert result.outcome is identity.Outcome.ERROR and "暂未接入" in result.message
    citizen.refresh_from_db()
    assert citizen.identity_level == IdentityLevel.SELF_DECLARED
    assert not Citizen.objects.filter(identity_level=IdentityLevel.VERIFIED).exists()


def test_an_enterprise_check_sends_the_credit_code_too(identity_service: Any, make_citizen: Any) -> None:
    from govhall.portal import services

    enterprise = make_citizen(kind="enterprise", declared_only=True, real_name="张海")
    identity_service.people.add(("张海", enterprise.id_number))
    assert services.citizen_identity_check(citizen=enterprise).matched
    body = identity_service.requests[0]["body"]
    assert body["kind"] == "enterprise" and body["uscc"] == enterprise.uscc and body["org_name"]
