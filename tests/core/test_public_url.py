"""GOVHALL_PUBLIC_URL is what every printed QR code points to (issue 16, printed documents; SITE-7, SCOPE-4)."""

from __future__ import annotations

import pytest
from django.core import checks

from govhall.core.publicurl import host_problem


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://0.0.0.0:8000",
        "http://[::1]:8000",
        "http://192.168.1.20:8000",
        "http://10.0.0.5",
        "http://govhall",
    ],
)
def test_loopback_private_and_bare_hosts_are_unreachable_by_citizens(url):
    assert host_problem(url)


@pytest.mark.parametrize("url", ["https://zwfw.qidong.gov.cn", "http://58.213.1.2:8080"])
def test_public_hosts_pass(url):
    assert host_problem(url) == ""


def public_url_warnings():
    return [m for m in checks.run_checks() if m.id == "govhall.W001"]


def test_system_check_warns_loudly_on_loopback_outside_development(settings):
    """SITE-7: a production run with the default public URL is warned at start-up (`govhall serve` runs
    the system checks), naming the variable to set."""
    settings.DEBUG = False
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    [warning] = public_url_warnings()
    assert warning.level == checks.WARNING
    assert "GOVHALL_PUBLIC_URL" in warning.msg
    assert "本机地址" in warning.msg


def test_production_flag_overrides_debug(settings):
    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = True
    settings.PUBLIC_URL = "http://192.168.0.9:8000"
    [warning] = public_url_warnings()
    assert "内网地址" in warning.msg


def test_development_run_and_public_address_are_quiet(settings):
    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    assert public_url_warnings() == []
    settings.DEBUG = False
    settings.PUBLIC_URL = "https://zwfw.qidong.gov.cn"
    assert public_url_warnings() == []


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_public_url_without_failing(client, settings):
    """The node stays in service (200); the operator sees public_url_ok false and why."""
    settings.DEBUG = False
    settings.PUBLIC_URL = "http://localhost:8000"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["public_url_ok"] is False
    assert "GOVHALL_PUBLIC_URL" in body["public_url_problem"]
    assert "SECRET" not in response.content.decode().upper()


@pytest.mark.django_db
def test_healthz_public_url_ok(client, settings):
    settings.DEBUG = False
    settings.PUBLIC_URL = "https://zwfw.qidong.gov.cn"
    body = client.get("/healthz").json()
    assert body["public_url_ok"] is True
    assert "public_url_problem" not in body
