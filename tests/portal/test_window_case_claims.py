"""Issue 13, hole 1 (NET-1; 个人信息保护法; 等保2.0 identification and access control): real-name details an
account types in are only self-declared — they fill application forms and unlock nobody's records. A window
case reaches an account only by proof of possession (its query password, or a code sent to the phone on the
case), each link audited; a verified account (实名核验 backend) also sees the window cases under its ID number.
A second account claiming the same ID number is never refused, and never locks the real owner out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.cases import services as cases
from govhall.cases.models import Case
from govhall.core.crypto import lookup_digest
from govhall.core.models import AuditEntry
from govhall.exchange.models import Notification
from govhall.portal.models import CaseLink, Citizen, IdentityLevel
from tests.portal.conftest import PASSWORD, citizen_client, last_sms, sms_code, valid_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("spring_clock")]

ID_WANG = valid_id("32068119400505123")  # an elderly applicant at the window
WANG_PHONE = "13800138000"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def window_case(world: Any) -> Case:
    """Received at the front desk for 王德福 (80+), who has no portal account."""
    m = world.dibao.current_version.materials.all()
    case = cases.case_receive(
        actor=world.front_desk,
        matter_id=world.dibao.pk,
        window_id=world.windows["minsheng"].pk,
        applicant={
            "kind": "person",
            "name": "王德福",
            "id_type": "id_card",
            "id_number": ID_WANG,
            "phone": WANG_PHONE,
        },
        materials=[{"material_id": x.pk, "status": "received"} for x in m],
    )
    return cases.case_accept(case=case, actor=world.front_desk)


def sign_up(client: Client, mobile: str) -> Client:
    """A brand-new account, through the pages."""
    client.post("/portal/account/register/", {"action": "send_code", "mobile": mobile, "kind": "person"})
    response = client.post(
        "/portal/account/register/",
        {
            "action": "register",
            "kind": "person",
            "mobile": mobile,
            "code": sms_code(mobile),
            "password": PASSWORD,
            "password2": PASSWORD,
            "agree": "on",
        },
    )
    assert response.status_code == 302
    return client


def declare(client: Client, name: str, id_number: str) -> Any:
    return client.post("/portal/account/verify/", {"real_name": name, "id_number": id_number})


def case_pages(client: Client, case: Case) -> list[Any]:
    notice = case.notices.first()
    urls = [f"/portal/my/cases/{case.number}/"]
    if notice is not None:
        urls.append(f"/portal/my/cases/{case.number}/notices/{notice.pk}.pdf")
    return [client.get(url) for url in urls]


# --- the hole ----------------------------------------------------------------------------------------------


def test_a_stranger_typing_in_an_elderly_applicants_id_number_sees_none_of_his_window_cases(
    client: Client, window_case: Case
) -> None:
    """Regression: a new account "verified" itself with 王德福's ID number and any name, and 我的办件 then
    listed his case with its query password, materials, timeline and notices."""
    sign_up(client, "13962809999")
    response = declare(client, SCRIPT, ID_WANG)
    assert response.status_code == 302  # saved: self-declared details may repeat someone else's
    stranger = Citizen.objects.get()
    assert stranger.identity_level == IdentityLevel.SELF_DECLARED and not stranger.is_verified

    listing = client.get("/portal/my/cases/").content.decode()
    assert window_case.number not in listing and "最低生活保障申请" not in listing
    for response in case_pages(client, window_case):
        assert response.status_code == 404
        assert window_case.query_password not in response.content.decode()


def test_the_real_owner_is_not_locked_out_by_an_account_that_declared_his_number_first(
    client: Client, window_case: Case
) -> None:
    """Regression: the real owner was refused with 「该身份证号码已绑定其他账户」, forever."""
    impostor = sign_up(Client(), "13962809999")
    assert declare(impostor, "冒名者", ID_WANG).status_code == 302

    sign_up(client, "13962800088")
    response = declare(client, "王德福", ID_WANG)
    assert response.status_code == 302
    assert "已绑定其他账户" not in client.get("/portal/account/").content.decode()
    assert Citizen.objects.filter(identity_level=IdentityLevel.SELF_DECLARED).count() == 2


def test_self_declared_text_is_escaped_on_every_page_that_shows_it(client: Client, world: Any) -> None:
    sign_up(client, "13962809999")
    declare(client, SCRIPT, ID_WANG)
    for url in (
        "/portal/account/",
        "/portal/account/verify/",
        "/portal/my/cases/",
        "/portal/my/cases/link/",
        f"/portal/apply/{world.dibao.code}/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "&lt;" in html, url  # the name's first character, masked after it, shows as text


def test_self_declared_details_fill_the_application_form(
    client: Client, world: Any, make_citizen: Any
) -> None:
    citizen = make_citizen(declared_only=True, real_name="李秀英")
    citizen_client(client, citizen)
    response = client.get(f"/portal/apply/{world.dibao.code}/")
    assert response.status_code == 200 and "李**" in response.content.decode()


def test_the_verify_page_says_no_verification_is_available_by_default(
    client: Client, make_citizen: Any
) -> None:
    citizen_client(client, make_citizen(declared_only=True))
    html = client.get("/portal/account/verify/").content.decode()
    assert "暂未接入公安实名核验服务" in html and "自行填报（未核验）" in html
    assert "提交实名核验" not in html


# --- linking by the query password ---------------------------------------------------------------------------


def test_the_query_password_links_a_window_case_and_the_link_is_audited(
    client: Client, window_case: Case, make_citizen: Any
) -> None:
    citizen = make_citizen(declared_only=True, mobile="13962800021")
    citizen_client(client, citizen)
    assert "关联窗口办件" in client.get("/portal/my/cases/").content.decode()
    response = client.post(
        "/portal/my/cases/link/",
        {
            "action": "password",
            "pw-number": window_case.number,
            "pw-password": window_case.query_password.lower(),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/portal/my/cases/{window_case.number}/"
    link = CaseLink.objects.get()
    assert link.citizen == citizen and link.case == window_case and link.method == "password"
    entry = AuditEntry.objects.get(action="portal.case_link.create")
    assert entry.object_id == str(link.pk) and entry.after == {
        "case": window_case.number,
        "method": "password",
    }
    assert window_case.number in client.get("/portal/my/cases/").content.decode()
    html = client.get(f"/portal/my/cases/{window_case.number}/").content.decode()
    assert "最低生活保障申请" in html and "受理" in html


def test_a_wrong_query_password_is_a_clear_error_and_links_nothing(
    client: Client, window_case: Case, make_citizen: Any
) -> None:
    citizen_client(client, make_citizen(declared_only=True))
    response = client.post(
        "/portal/my/cases/link/",
        {"action": "password", "pw-number": window_case.number, "pw-password": "WRONG2"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "办件编号或查询密码不正确" in html and "再失败4次" in html
    assert not CaseLink.objects.exists()
    assert AuditEntry.objects.filter(action="portal.case_link.refused").count() == 1
    assert client.get(f"/portal/my/cases/{window_case.number}/").status_code == 404


def test_guessing_query_passwords_is_stopped_per_account_and_per_case(
    client: Client, window_case: Case, make_citizen: Any, settings: Any
) -> None:
    settings.PORTAL_LINK_FAILURES = 3
    citizen_client(client, make_citizen(declared_only=True, mobile="13962800031"))
    for _ in range(3):
        client.post(
            "/portal/my/cases/link/",
            {"action": "password", "pw-number": window_case.number, "pw-password": "WRONG2"},
        )
    response = client.post(
        "/portal/my/cases/link/",
        {"action": "password", "pw-number": window_case.number, "pw-password": window_case.query_password},
    )
    assert response.status_code == 429 and "关联办件失败次数过多" in response.content.decode()
    # Another account cannot go on guessing the same case either.
    other = citizen_client(Client(), make_citizen(declared_only=True, mobile="13962800032"))
    response = other.post(
        "/portal/my/cases/link/",
        {"action": "password", "pw-number": window_case.number, "pw-password": window_case.query_password},
    )
    assert response.status_code == 429
    assert not CaseLink.objects.exists()


# --- linking by a code sent to the phone on the case ------------------------------------------------------------


def test_a_code_sent_to_the_phone_on_the_case_links_it(
    client: Client, window_case: Case, make_citizen: Any
) -> None:
    """The code goes to the applicant's phone recorded at the window (not the account's), shown masked."""
    citizen = make_citizen(declared_only=True, mobile="13962800041")
    citizen_client(client, citizen)
    response = client.post(
        "/portal/my/cases/link/", {"action": "send_code", "sms-number": window_case.number}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "138****8000" in html and WANG_PHONE not in html
    assert window_case.number in last_sms(WANG_PHONE) and "139****0041" in last_sms(WANG_PHONE)
    assert not Notification.objects.filter(recipient_digest=lookup_digest("13962800041")).exists()
    response = client.post(
        "/portal/my/cases/link/",
        {"action": "sms", "sms-number": window_case.number, "sms-code": sms_code(WANG_PHONE)},
    )
    assert response.status_code == 302
    assert CaseLink.objects.get().method == "sms"
    assert AuditEntry.objects.filter(action="portal.case_link.create").count() == 1
    assert window_case.number in client.get("/portal/my/cases/").content.decode()


def test_a_wrong_code_is_a_clear_error(client: Client, window_case: Case, make_citizen: Any) -> None:
    citizen_client(client, make_citizen(declared_only=True))
    client.post("/portal/my/cases/link/", {"action": "send_code", "sms-number": window_case.number})
    wrong = f"{(int(sms_code(WANG_PHONE)) + 1) % 10**6:06d}"
    response = client.post(
        "/portal/my/cases/link/", {"action": "sms", "sms-number": window_case.number, "sms-code": wrong}
    )
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    assert not CaseLink.objects.exists()


def test_a_code_sent_for_one_account_does_not_link_the_case_to_another(
    window_case: Case, make_citizen: Any
) -> None:
    first = citizen_client(Client(), make_citizen(declared_only=True, mobile="13962800051"))
    first.post("/portal/my/cases/link/", {"action": "send_code", "sms-number": window_case.number})
    code = sms_code(WANG_PHONE)
    second = citizen_client(Client(), make_citizen(declared_only=True, mobile="13962800052"))
    response = second.post(
        "/portal/my/cases/link/", {"action": "sms", "sms-number": window_case.number, "sms-code": code}
    )
    assert response.status_code == 400 and "验证码已失效" in response.content.decode()
    assert not CaseLink.objects.exists()


def test_an_unknown_case_number_is_a_clear_error_and_sends_nothing(
    client: Client, window_case: Case, make_citizen: Any
) -> None:
    citizen_client(client, make_citizen(declared_only=True))
    before = Notification.objects.count()
    response = client.post(
        "/portal/my/cases/link/", {"action": "send_code", "sms-number": "202603100930-0-00001"}
    )
    assert response.status_code == 400 and "未找到该办件编号" in response.content.decode()
    assert Notification.objects.count() == before


def test_link_codes_keep_the_sms_limits(client: Client, window_case: Case, make_citizen: Any) -> None:
    citizen_client(client, make_citizen(declared_only=True))
    client.post("/portal/my/cases/link/", {"action": "send_code", "sms-number": window_case.number})
    response = client.post(
        "/portal/my/cases/link/", {"action": "send_code", "sms-number": window_case.number}
    )
    assert response.status_code == 429 and "验证码发送过于频繁" in response.content.decode()


# --- verified accounts ----------------------------------------------------------------------------------------------


def test_a_verified_account_sees_the_window_cases_under_its_id_number(
    client: Client, window_case: Case, make_citizen: Any
) -> None:
    citizen_client(client, make_citizen(id_number=ID_WANG, real_name="王德福"))
    assert window_case.number in client.get("/portal/my/cases/").content.decode()
    assert client.get(f"/portal/my/cases/{window_case.number}/").status_code == 200


def test_old_typed_in_identities_are_demoted_to_self_declared_by_the_migration() -> None:
    """The migration's backfill: an account "verified" by the old page (nothing checked) is self-declared."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module(
        "govhall.portal.migrations.0003_citizen_identity_level_and_case_links"
    )
    at = timezone.now()
    old = Citizen.objects.create(
        mobile="13962800061",
        mobile_digest=lookup_digest("13962800061"),
        password="!",
        real_name="王德福",
        id_number=ID_WANG,
        id_digest=lookup_digest(ID_WANG),
        verified_at=at,
    )
    migration.demote_typed_in_identities(apps, None)
    old.refresh_from_db()
    assert (
        old.identity_level == IdentityLevel.SELF_DECLARED
        and old.declared_at == at
        and old.verified_at is None
    )
