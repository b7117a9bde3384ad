"""The API skeleton (issue 2, part 9): one error format {"code", "message", "fields"} with the right
status, the OpenAPI document, security headers. The exchange endpoints serve as the example."""

from __future__ import annotations

import pytest

from govhall.accounts.models import Role
from govhall.exchange.models import Notification
from tests.conftest import login
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"] and not body["message"].isascii()  # a Chinese message
    return body


def test_validation_error_is_422_and_names_each_field(client):
    login(client, bureau_user())
    response = client.post(
        "/api/v1/exchange/sms/test", {"phone": "13800138000"}, content_type="application/json"
    )
    body = assert_error(response, 422, "validation_error")
    assert list(body["fields"]) == ["text"]
    assert Notification.objects.count() == 0


def test_service_field_error_comes_back_with_the_field_and_its_chinese_message(client):
    login(client, bureau_user())
    response = client.post(
        "/api/v1/exchange/sms/test", {"phone": "12345", "text": "测试"}, content_type="application/json"
    )
    body = assert_error(response, 400, "invalid")
    assert "手机号码" in body["fields"]["phone"]
    assert Notification.objects.count() == 0


def test_no_credentials_is_401(client):
    assert_error(client.get("/api/v1/exchange/notifications"), 401, "unauthenticated")


def test_a_revoked_or_made_up_token_is_401(client):
    response = client.get("/api/v1/exchange/notifications", HTTP_AUTHORIZATION="Bearer gh_0000_nonsense")
    assert_error(response, 401, "unauthenticated")


def test_api_token_authenticates(client):
    from govhall.accounts.tokens import token_create

    _, token = token_create(user=bureau_user(), name="测试")
    response = client.get("/api/v1/exchange/notifications", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_wrong_role_is_403(client):
    login(client, UserFactory(roles=[Role.FRONT_DESK]))
    assert_error(client.get("/api/v1/exchange/notifications"), 403, "forbidden")


def test_missing_record_is_404(client):
    login(client, bureau_user())
    assert_error(client.get("/api/v1/exchange/notifications/999999"), 404, "not_found")


def test_unknown_api_path_is_a_json_404(client):
    assert_error(client.get("/api/v1/no-such-thing/at-all"), 404, "not_found")


def test_session_post_without_csrf_token_is_refused(client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, bureau_user())
    response = csrf_client.post(
        "/api/v1/exchange/sms/test", {"phone": "13800138000", "text": "测试"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert Notification.objects.count() == 0


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/exchange/notifications" in doc["paths"]
    assert not any("{path}" in p or "{rest}" in p for p in doc["paths"])  # the catch-all stays out of it


def test_api_answers_in_readable_utf8(client):
    response = client.get("/api/v1/exchange/notifications")
    assert "请先登录".encode() in response.content


# --- security headers --------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/login/", "/api/v1/openapi.json", "/healthz"])
def test_responses_carry_csp_nosniff_and_frame_denial(client, url):
    response = client.get(url)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(client):
    assert not client.get("/login/").has_header("Strict-Transport-Security")
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_hsts_behind_a_proxy_that_terminated_https(client, settings):
    """GOVHALL_BEHIND_PROXY=1: nginx says X-Forwarded-Proto: https and the request counts as secure."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="https").has_header("Strict-Transport-Security")
    assert not client.get("/login/", HTTP_X_FORWARDED_PROTO="http").has_header("Strict-Transport-Security")
