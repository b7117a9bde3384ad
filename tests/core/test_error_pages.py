"""Error pages in Chinese (issue 12 §4): 400/403/404/500 and the CSRF failure, in the staff, portal or kiosk
look by path; the kiosk's has a big 返回首页 and the idle reset (SITE-3 self-service terminal, NET-1); the 500
page needs neither the database nor the context processors; /api/v1/ keeps its JSON errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

URLS = "tests.core.error_urls"
STAFF, PORTAL, KIOSK = "/test-errors/", "/portal/test-errors/", "/portal/kiosk/7/test-errors/"


@pytest.fixture(autouse=True)
def _production_mode(settings: Any) -> None:
    """The handlers only run with DEBUG off, as in production (DEBUG on shows Django's technical pages)."""
    settings.DEBUG = False


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def html(response: Any) -> str:
    return response.content.decode()


def assert_variant(page: str, variant: str) -> None:
    if variant == "kiosk":
        assert 'class="home-big"' in page and "返回首页" in page
        assert "portal/kiosk.js" in page and 'data-kiosk-home="/portal/kiosk/7/"' in page
        assert 'data-idle-seconds="60"' in page and 'http-equiv="refresh"' in page
    elif variant == "portal":
        assert "portal/portal.css" in page and "启东市政务服务网上办事" in page and "kiosk.js" not in page
    else:
        assert "core/govhall.css" in page and "kiosk.js" not in page and "portal.css" not in page


def test_debug_is_off_so_the_handlers_are_used(settings: Any) -> None:
    from django.urls import get_resolver

    assert settings.DEBUG is False
    resolver = get_resolver("govhall.urls")
    assert resolver.resolve_error_handler(404).__module__ == "govhall.errorpages"
    assert settings.CSRF_FAILURE_VIEW == "govhall.errorpages.csrf_failure"


@pytest.mark.parametrize(
    ("path", "variant"),
    [
        ("/no-such-page/", "staff"),
        ("/cases/999999999/x/", "staff"),
        ("/portal/no-such-page/", "portal"),
        ("/queueing/t/nope/x/", "portal"),
        ("/portal/kiosk/7/no-such-page/", "kiosk"),
    ],
)
def test_unknown_address_is_a_chinese_404_in_the_look_of_its_part_of_the_site(
    client: Client, path: str, variant: str
) -> None:
    response = client.get(path)
    page = html(response)
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page and '<h1 id="error-heading">页面不存在</h1>' in page
    assert "Not Found" not in page
    assert_variant(page, variant)


@pytest.mark.urls(URLS)
@pytest.mark.parametrize(("prefix", "variant"), [(STAFF, "staff"), (PORTAL, "portal"), (KIOSK, "kiosk")])
@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        ("bad/", 400, "请求有误"),
        ("forbidden/", 403, "无权访问"),
        ("missing/", 404, "页面不存在"),
        ("boom/", 500, "系统繁忙"),
    ],
)
def test_each_error_has_its_chinese_page_in_each_variant(
    client: Client, prefix: str, variant: str, view: str, status: int, heading: str
) -> None:
    response = client.get(prefix + view)
    page = html(response)
    assert response.status_code == status
    assert f'<h1 id="error-heading">{heading}</h1>' in page and f'<p class="error-code">{status}</p>' in page
    assert_variant(page, variant)


@pytest.mark.urls(URLS)
def test_our_chinese_message_is_shown_and_django_english_is_not(client: Client) -> None:
    assert "只有本中心主任可以设置预约时段。" in html(client.get(STAFF + "forbidden/"))
    english = html(client.get(STAFF + "forbidden-en/"))
    assert "You do not have permission" not in english and "您没有权限访问此页面" in english
    missing = html(client.get(STAFF + "missing/"))
    assert "No Case matches" not in missing and "您访问的页面不存在" in missing
    assert "Invalid HTTP_HOST" not in html(client.get(STAFF + "bad/"))


@pytest.mark.urls(URLS)
def test_500_page_needs_neither_the_database_nor_the_context_processors(
    client: Client, monkeypatch: Any
) -> None:
    """No `db` fixture: pytest-django refuses every query here, so any database use would fail the page."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a context processor must not run on an error page")

    monkeypatch.setattr("govhall.core.context_processors.nav_items", broken)
    for prefix in (STAFF, PORTAL, KIOSK):
        response = client.get(prefix + "boom/")
        assert response.status_code == 500 and "系统繁忙，请稍后再试" in html(response)


@pytest.mark.urls(URLS)
def test_500_page_falls_back_to_plain_chinese_when_its_template_fails(
    client: Client, monkeypatch: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("template engine broken")

    monkeypatch.setattr("govhall.errorpages.loader.get_template", broken)
    response = client.get(STAFF + "boom/")
    assert response.status_code == 500 and "系统繁忙，请稍后再试" in html(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "variant"),
    [("/login/", "staff"), ("/portal/track/", "portal"), ("/portal/kiosk/7/track/", "kiosk")],
)
def test_csrf_failure_is_a_chinese_403(path: str, variant: str) -> None:
    response = Client(enforce_csrf_checks=True).post(path, {"username": "x"})
    page = html(response)
    assert response.status_code == 403 and '<h1 id="error-heading">页面已过期</h1>' in page
    assert "CSRF" not in page and "请刷新页面后重新提交" in page
    assert_variant(page, variant)


def test_htmx_request_gets_the_message_alone_swapped_inside_its_target(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_HX_REQUEST="true")
    page = html(response)
    assert response.status_code == 404 and "<html" not in page
    assert 'role="alert"' in page and 'tabindex="-1"' in page and "页面不存在" in page
    assert response["HX-Reswap"] == "innerHTML"


@pytest.mark.django_db
def test_api_errors_stay_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/at-all")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
