"""SCOPE-4 / NET-1 with issue 15: an anonymous visitor's guide is one shared, cached response — gzip when the
browser takes it, 304 on a matching ETag, a content change at once — while a signed-in citizen's page is their
own, today's queue comes from a live fragment, and the display switches refuse another site's form."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from govhall.portal.guide_response import EDGE_HEADER
from govhall.queueing.services import ticket_issue
from tests.portal.conftest import citizen_client, publish_new_conditions

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def url(matter: Any) -> str:
    return f"/portal/guide/{matter.code}/"


def test_gzip_when_accepted_and_the_same_page_after_decompression(client: Client, world: Any) -> None:
    """NET-1: the page is sent compressed to a browser that takes gzip, plain to one that does not."""
    plain = client.get(url(world.dibao))
    packed = client.get(url(world.dibao), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "最低生活保障申请" in plain.content.decode()
    assert plain["ETag"] == packed["ETag"] and plain["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]
    # Nothing per visitor on the shared page: no CSRF token, no CSRF cookie.
    assert "csrf" not in plain.content.decode().lower() and "csrftoken" not in plain.cookies


def test_a_matching_etag_is_answered_304(client: Client, world: Any) -> None:
    etag = client.get(url(world.dibao))["ETag"]
    again = client.get(url(world.dibao), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(url(world.dibao), HTTP_IF_NONE_MATCH='W/"other"').status_code == 200


def test_an_edit_of_the_guide_shows_at_once_with_a_new_etag(client: Client, world: Any) -> None:
    """SCOPE-4: the bureau edits the guide; the next visitor, even one holding the old ETag, gets the new text."""
    etag = client.get(url(world.dibao))["ETag"]
    publish_new_conditions(world.dibao)
    response = client.get(url(world.dibao), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "且家庭财产符合规定。" in response.content.decode()


def test_a_signed_in_citizen_never_gets_the_anonymous_page(
    client: Client, world: Any, make_citizen: Any
) -> None:
    anonymous = Client()
    shared = anonymous.get(url(world.dibao))
    enterprise = make_citizen(kind="enterprise", mobile="13962800019", real_name="张海")
    citizen_client(client, enterprise)
    own = client.get(url(world.dibao), HTTP_IF_NONE_MATCH=shared["ETag"])
    assert own.status_code == 200 and "ETag" not in own
    html = own.content.decode()
    assert "您当前登录的是企业账户" in html and enterprise.display_name in html and "X-CSRFToken" in html
    assert "您当前登录的是企业账户" not in anonymous.get(url(world.dibao)).content.decode()


def test_display_preferences_get_their_own_page(client: Client, world: Any) -> None:
    """The large-text visitor's page is not the standard one, and the standard one stays standard."""
    standard = client.get(url(world.dibao))
    client.cookies["gh_display"] = "large"
    large = client.get(url(world.dibao))
    assert '<html lang="zh-CN" class="large">' in large.content.decode()
    assert large["ETag"] != standard["ETag"]
    assert '<html lang="zh-CN" class="">' in Client().get(url(world.dibao)).content.decode()


def test_only_a_cookie_less_request_is_marked_for_the_edge(client: Client, world: Any) -> None:
    assert EDGE_HEADER in client.get(url(world.dibao))
    client.cookies["gh_display"] = "large"
    assert EDGE_HEADER not in client.get(url(world.dibao))


def test_the_waiting_fragment_shows_the_live_count(client: Client, world: Any, clock: Any) -> None:
    """NET-1: today's queue at the town centre, through the fragment the page loads; a new ticket shows
    within the fragment's few seconds."""
    page = client.get(url(world.dibao)).content.decode()
    fragment = f"/portal/guide/{world.dibao.code}/waiting/"
    assert f'hx-get="{fragment}"' in page and "人等候" not in page
    first = client.get(fragment, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r"当前排队：<strong>0</strong> 人等候", first) and "<html" not in first
    ticket_issue(centre=world.town, matter_id=world.dibao.pk)
    clock.shift(dt.timedelta(seconds=5))
    html = client.get(fragment, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r"当前排队：<strong>1</strong> 人等候", html) and "手机取号" in html


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_REFERER": "https://evil.example/page"},
        {"HTTP_ORIGIN": "null"},
        {},
    ],
)
def test_display_switch_from_another_site_is_refused(client: Client, headers: dict[str, str]) -> None:
    response = client.post("/portal/display/", {"toggle": "large", "next": "/portal/"}, **headers)
    assert response.status_code == 403 and "请从本站页面切换显示方式" in response.content.decode()
    assert "gh_display" not in response.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/portal/guide/x/"},
    ],
)
def test_display_switch_from_our_own_page_works(client: Client, headers: dict[str, str]) -> None:
    response = client.post("/portal/display/", {"toggle": "large", "next": "/portal/"}, **headers)
    assert response.status_code == 302 and response.cookies["gh_display"].value == "large"
