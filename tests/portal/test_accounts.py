"""NET-1: citizen and enterprise accounts on the portal — registration by mobile + SMS code through the
notification outbox, real-name details validated and encrypted, passwords with the foundation's rules, a
session separate from staff sign-in, and rate limits against code and password guessing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from govhall.core.crypto import lookup_digest
from govhall.core.models import AuditEntry
from govhall.core.ratelimit import RateLimited
from govhall.exchange.models import Notification
from govhall.portal import services
from govhall.portal.auth import SESSION_KEY
from govhall.portal.models import AccountKind, Citizen, SmsChallenge
from tests.conftest import login
from tests.portal.conftest import PASSWORD, citizen_client, last_sms, sms_code, valid_id, valid_uscc

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


def send_code(client: Client, mobile: str = MOBILE, url: str = "/portal/account/register/") -> Any:
    return client.post(url, {"action": "send_code", "mobile": mobile, "kind": "person"})


def register(
    client: Client,
    *,
    code: str,
    mobile: str = MOBILE,
    password: str = PASSWORD,
    kind: str = "person",
    **extra: str,
) -> Any:
    data = {
        "action": "register",
        "kind": kind,
        "mobile": mobile,
        "code": code,
        "password": password,
        "password2": password,
        "agree": "on",
        **extra,
    }
    return client.post("/portal/account/register/", data)


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test helper, fixed names
        return cursor.fetchone()[0]


# --- registration -------------------------------------------------------------------------------------


def test_citizen_registers_with_an_sms_code_sent_through_the_outbox(client: Client) -> None:
    """NET-1: the code goes out as an SMS row in the outbox, marked sensitive; registering signs the citizen in."""
    response = send_code(client)
    assert response.status_code == 200
    assert "验证码已发送" in response.content.decode()
    row = Notification.objects.get(recipient_digest=lookup_digest(MOBILE))
    assert row.sensitive and row.template == "portal.sms_code.register"
    assert "验证码" in row.text

    response = register(client, code=sms_code(MOBILE))
    assert response.status_code == 302 and response["Location"].startswith("/portal/account/verify/")
    citizen = Citizen.objects.get()
    assert citizen.kind == AccountKind.PERSON and not citizen.is_verified
    assert client.session[SESSION_KEY] == citizen.pk
    assert AuditEntry.objects.filter(action="portal.citizen.register", object_id=str(citizen.pk)).exists()


def test_mobile_number_is_encrypted_at_rest_and_password_hashed(client: Client) -> None:
    send_code(client)
    register(client, code=sms_code(MOBILE))
    citizen = Citizen.objects.get()
    stored = raw_column("portal_citizen", "mobile", citizen.pk)
    assert MOBILE not in stored and stored.startswith("sm4g1:")
    assert citizen.mobile == MOBILE and citizen.mobile_masked == "139****5678"
    assert PASSWORD not in citizen.password and citizen.check_password(PASSWORD)


def test_citizen_passwords_use_argon2_like_staff_accounts(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    citizen = Citizen(mobile=MOBILE, mobile_digest=lookup_digest(MOBILE))
    citizen.set_password(PASSWORD)
    assert citizen.password.startswith("argon2$")


def test_wrong_code_is_refused_and_nothing_is_written(client: Client) -> None:
    send_code(client)
    code = sms_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = register(client, code=wrong)
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not Citizen.objects.exists()
    assert SmsChallenge.objects.get().attempts == 1  # the guess is counted


def test_code_dies_after_five_wrong_guesses(client: Client) -> None:
    send_code(client)
    code = sms_code(MOBILE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        register(client, code=wrong)
    response = register(client, code=code)  # even the right code no longer works
    assert "错误次数过多" in response.content.decode()
    assert not Citizen.objects.exists()


def test_code_expires_after_five_minutes(client: Client) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        send_code(client)
        code = sms_code(MOBILE)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, 1, tzinfo=dt.UTC), tick=False):
        response = register(client, code=code)
    assert "验证码已失效" in response.content.decode()
    assert not Citizen.objects.exists()


def test_weak_password_is_refused_with_the_foundation_rules(client: Client) -> None:
    send_code(client)
    response = register(client, code=sms_code(MOBILE), password="onlyletters")
    body = response.content.decode()
    assert "密码必须同时包含字母和数字" in body
    assert not Citizen.objects.exists()


def test_bad_mobile_number_is_refused_before_any_sms(client: Client) -> None:
    response = send_code(client, mobile="1234")
    assert "手机号码应为11位" in response.content.decode()
    assert not Notification.objects.exists()


def test_a_registered_number_cannot_register_again(client: Client, make_citizen: Any) -> None:
    """The page says the same as for a new number (see test_account_enumeration.py); the owner's phone gets
    a reminder instead of a code, so no guess registers the number twice."""
    make_citizen(mobile=MOBILE)
    response = send_code(client)
    assert "验证码已发送" in response.content.decode()
    assert "验证码" not in last_sms(MOBILE) and "该手机号已注册" in last_sms(MOBILE)
    response = register(client, code="123456")
    assert "验证码不正确" in response.content.decode()
    assert Citizen.objects.count() == 1


# --- rate limits on codes -----------------------------------------------------------------------------------


def test_a_second_code_within_a_minute_is_refused(client: Client) -> None:
    send_code(client)
    response = send_code(client)
    assert "验证码发送过于频繁" in response.content.decode()
    assert Notification.objects.count() == 1


def test_codes_per_number_per_hour_are_capped(client: Client, settings: Any) -> None:
    settings.PORTAL_SMS_RESEND_SECONDS = 0
    settings.PORTAL_SMS_PER_MOBILE_HOUR = 3
    for _ in range(3):
        services.sms_code_send(mobile=MOBILE, purpose="register")
    with pytest.raises(RateLimited):
        services.sms_code_send(mobile=MOBILE, purpose="register")
    assert Notification.objects.count() == 3


def test_codes_per_address_per_hour_are_capped(settings: Any) -> None:
    settings.PORTAL_SMS_PER_IP_HOUR = 2
    services.sms_code_send(mobile="13900000001", purpose="register", ip="10.0.0.9")
    services.sms_code_send(mobile="13900000002", purpose="register", ip="10.0.0.9")
    with pytest.raises(RateLimited) as exc:
        services.sms_code_send(mobile="13900000003", purpose="register", ip="10.0.0.9")
    assert exc.value.status == 429
    assert Notification.objects.count() == 2


def test_a_new_code_replaces_the_previous_one(settings: Any) -> None:
    settings.PORTAL_SMS_RESEND_SECONDS = 0
    first = services.sms_code_send(mobile=MOBILE, purpose="register")
    second = services.sms_code_send(mobile=MOBILE, purpose="register")
    first.refresh_from_db()
    assert first.used_at is not None  # dead
    assert list(SmsChallenge.objects.filter(used_at__isnull=True)) == [second]
    services.sms_code_check(mobile=MOBILE, purpose="register", code=sms_code(MOBILE))
    second.refresh_from_db()
    assert second.used_at is not None


# --- sign-in and sessions ---------------------------------------------------------------------------------


def test_citizen_signs_in_and_out(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen()
    citizen_client(client, citizen)
    assert client.session[SESSION_KEY] == citizen.pk
    page = client.get("/portal/account/").content.decode()
    assert citizen.mobile_masked in page and citizen.mobile not in page
    client.post("/portal/account/logout/")
    assert SESSION_KEY not in client.session
    assert client.get("/portal/account/").status_code == 302


def test_sign_in_issues_a_new_session_key(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen()
    client.get("/portal/account/login/")
    client.session.save()
    before = client.session.session_key
    citizen_client(client, citizen)
    assert client.session.session_key != before


def test_five_wrong_passwords_lock_the_number(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen()
    for _ in range(5):
        response = client.post(
            "/portal/account/login/", {"mobile": citizen.mobile, "password": "Wrong12345x"}
        )
        assert "手机号码或密码不正确" in response.content.decode()
    response = client.post("/portal/account/login/", {"mobile": citizen.mobile, "password": PASSWORD})
    assert response.status_code == 200
    assert "账户已暂时锁定" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_lock_lifts_after_the_window(client: Client, make_citizen: Any, settings: Any) -> None:
    settings.PORTAL_LOGIN_WINDOW = 1
    citizen = make_citizen()
    for _ in range(5):
        client.post("/portal/account/login/", {"mobile": citizen.mobile, "password": "Wrong12345x"})
    import time

    time.sleep(1.1)
    citizen_client(client, citizen)


def test_unknown_number_gets_the_same_message_as_a_wrong_password(client: Client) -> None:
    response = client.post("/portal/account/login/", {"mobile": "13700000000", "password": "Wrong12345x"})
    assert "手机号码或密码不正确" in response.content.decode()


def test_citizen_session_grants_nothing_on_staff_pages(client: Client, make_citizen: Any) -> None:
    citizen_client(client, make_citizen())
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/orgs/centres").status_code == 401


def test_staff_session_grants_nothing_on_citizen_pages(client: Client, hall: Any) -> None:
    login(client, hall.front_desk)
    response = client.get("/portal/account/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/account/login/")


def test_deactivated_account_is_signed_out(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen()
    citizen_client(client, citizen)
    Citizen.objects.filter(pk=citizen.pk).update(is_active=False)
    assert client.get("/portal/account/").status_code == 302


# --- real-name details ------------------------------------------------------------------------------------------


def test_person_real_name_is_validated_and_encrypted(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen(verified=False)
    citizen_client(client, citizen)
    number = valid_id("32068119580301123")
    response = client.post("/portal/account/verify/", {"real_name": "李秀英", "id_number": number.lower()})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.has_identity and not citizen.is_verified  # typed in: self-declared until checked
    assert citizen.id_number == number and citizen.id_digest == lookup_digest(number)
    assert number not in raw_column("portal_citizen", "id_number", citizen.pk)
    page = client.get("/portal/account/").content.decode()
    assert number not in page and "320681********" in page and "李**" in page
    entry = AuditEntry.objects.get(action="portal.citizen.declare")
    assert number not in str(entry.after)


def test_bad_id_number_is_refused_and_nothing_written(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen(verified=False)
    citizen_client(client, citizen)
    bad = valid_id("32068119580301123")[:17] + ("0" if valid_id("32068119580301123")[17] != "0" else "1")
    response = client.post("/portal/account/verify/", {"real_name": "李秀英", "id_number": bad})
    assert "校验位不正确" in response.content.decode()
    citizen.refresh_from_db()
    assert not citizen.has_identity and citizen.id_number == ""


def test_an_id_number_declared_by_another_account_may_be_declared_again(
    client: Client, make_citizen: Any
) -> None:
    """Issue 13 hole 1: formerly 「该身份证号码已绑定其他账户」 locked the real owner out for good. Self-declared
    details unlock nothing, so a second account may declare the same number; only the 实名核验 backend decides
    who holds it (test_identity_backend.py)."""
    number = valid_id("32068119580301123")
    make_citizen(id_number=number)
    other = make_citizen(verified=False)
    citizen_client(client, other)
    response = client.post("/portal/account/verify/", {"real_name": "王某", "id_number": number})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.has_identity and not other.is_verified


def test_enterprise_registers_with_credit_code_and_legal_representative(client: Client) -> None:
    send_code(client)
    register(client, code=sms_code(MOBILE), kind="enterprise")
    citizen = Citizen.objects.get()
    assert citizen.kind == AccountKind.ENTERPRISE
    uscc = valid_uscc()
    response = client.post(
        "/portal/account/verify/",
        {
            "org_name": "启东市吕四港镇海鲜小吃店",
            "uscc": uscc,
            "legal_rep_name": "张海",
            "legal_rep_id_number": valid_id("32068119800101001"),
        },
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.has_identity and not citizen.is_verified
    assert citizen.uscc == uscc and citizen.real_name == "张海"
    assert citizen.display_name == "启东市吕四港镇海鲜小吃店"


def test_enterprise_with_a_wrong_credit_code_is_refused(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen(verified=False, kind=AccountKind.ENTERPRISE)
    citizen_client(client, citizen)
    uscc = valid_uscc()
    wrong = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    response = client.post(
        "/portal/account/verify/",
        {
            "org_name": "某公司",
            "uscc": wrong,
            "legal_rep_name": "张海",
            "legal_rep_id_number": valid_id("32068119800101001"),
        },
    )
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    citizen.refresh_from_db()
    assert not citizen.has_identity and citizen.uscc == ""


def test_verified_details_cannot_be_changed_online(make_citizen: Any) -> None:
    citizen = make_citizen()
    with pytest.raises(services.Conflict):
        services.citizen_declare_person(
            citizen=citizen, real_name="别人", id_number=valid_id("32068119900101001")
        )


# --- password reset -------------------------------------------------------------------------------------------


def test_password_reset_by_sms_ends_other_sessions(client: Client, make_citizen: Any) -> None:
    citizen = make_citizen(mobile=MOBILE)
    other_device = citizen_client(Client(), citizen)
    client.post("/portal/account/reset/", {"action": "send_code", "mobile": MOBILE})
    assert "找回密码" in last_sms(MOBILE)
    new_password = "NewPassw0rd2026"
    response = client.post(
        "/portal/account/reset/",
        {
            "action": "reset",
            "mobile": MOBILE,
            "code": sms_code(MOBILE),
            "password": new_password,
            "password2": new_password,
        },
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(new_password)
    assert other_device.get("/portal/account/").status_code == 302  # signed out there
    assert AuditEntry.objects.filter(action="portal.citizen.password_reset").exists()


def test_reset_for_an_unknown_number_sends_nothing(client: Client) -> None:
    """The page answers as for a registered number (test_account_enumeration.py); no SMS goes out."""
    response = client.post("/portal/account/reset/", {"action": "send_code", "mobile": MOBILE})
    assert "验证码已发送" in response.content.decode()
    assert not Notification.objects.exists()
