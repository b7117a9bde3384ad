"""Issue 13, hole 6 (NET-1; 个人信息保护法): the register and password-reset pages, and their "获取验证码",
answer the same way whether or not a phone number has an account — same page, same status, same message,
same answer to a guessed code — and tell the truth only by SMS, to the phone itself."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.core.crypto import lookup_digest
from govhall.exchange.models import Notification
from tests.portal.conftest import PASSWORD, last_sms

pytestmark = pytest.mark.django_db

REGISTERED = "13912345678"
UNKNOWN = "13987654321"


def normalised(response: Any, mobile: str) -> str:
    """The page with what legitimately differs blanked out: the number typed in and the CSRF token."""
    html = response.content.decode().replace(mobile, "<MOBILE>")
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "<CSRF>", html)


def ask(url: str, mobile: str, **extra: str) -> Any:
    return Client().post(url, {"action": "send_code", "mobile": mobile, "kind": "person", **extra})


@pytest.fixture
def registered(make_citizen: Any) -> Any:
    return make_citizen(mobile=REGISTERED)


@pytest.mark.parametrize("url", ["/portal/account/register/", "/portal/account/reset/"])
def test_sending_a_code_looks_the_same_for_a_registered_and_an_unknown_number(
    url: str, registered: Any
) -> None:
    """Regression: register said 「该手机号码已注册」 and reset 「该手机号码尚未注册」."""
    known, unknown = ask(url, REGISTERED), ask(url, UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    assert "验证码已发送，请查收短信" in known.content.decode()
    assert normalised(known, REGISTERED) == normalised(unknown, UNKNOWN)


@pytest.mark.parametrize("url", ["/portal/account/register/", "/portal/account/reset/"])
def test_a_guessed_code_is_answered_alike_for_both_numbers(url: str, registered: Any) -> None:
    """The final submit must not tell either: a code was never sent to the number it would reveal."""
    answers = []
    for mobile in (REGISTERED, UNKNOWN):
        client = Client()
        client.post(url, {"action": "send_code", "mobile": mobile, "kind": "person"})
        action = "register" if "register" in url else "reset"
        response = client.post(
            url,
            {
                "action": action,
                "kind": "person",
                "mobile": mobile,
                "code": "000000",
                "password": PASSWORD,
                "password2": PASSWORD,
                "agree": "on",
            },
        )
        answers.append((response.status_code, normalised(response, mobile)))
    assert answers[0] == answers[1]
    assert "验证码不正确" in answers[0][1] or "验证码已失效" in answers[0][1]


def test_the_rate_limits_hold_alike_for_both_numbers(registered: Any) -> None:
    for mobile in (REGISTERED, UNKNOWN):
        client = Client()
        client.post("/portal/account/register/", {"action": "send_code", "mobile": mobile, "kind": "person"})
        again = client.post(
            "/portal/account/register/", {"action": "send_code", "mobile": mobile, "kind": "person"}
        )
        assert "验证码发送过于频繁" in again.content.decode()


def test_register_tells_a_registered_number_the_truth_by_sms(registered: Any) -> None:
    ask("/portal/account/register/", REGISTERED)
    text = last_sms(REGISTERED)
    assert "该手机号已注册" in text and "找回密码" in text and not re.search(r"\d{6}", text)


def test_register_sends_a_new_number_its_code(registered: Any) -> None:
    ask("/portal/account/register/", UNKNOWN)
    assert re.search(r"注册验证码为\d{6}", last_sms(UNKNOWN))


def test_reset_sends_nothing_to_an_unknown_number_and_a_code_to_a_registered_one(registered: Any) -> None:
    ask("/portal/account/reset/", UNKNOWN)
    assert not Notification.objects.filter(recipient_digest=lookup_digest(UNKNOWN)).exists()
    ask("/portal/account/reset/", REGISTERED)
    assert re.search(r"找回密码验证码为\d{6}", last_sms(REGISTERED))
