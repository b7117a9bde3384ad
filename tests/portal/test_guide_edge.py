"""SCOPE-4 / NET-1 with issue 15: `GuideEdge` answers a cookie-less guide request from what Django produced for
it — without calling Django — and only that: cookies, other paths and a content change go to Django; HEAD
gets the headers, a matching ETag a 304. Driven as the ASGI application uvicorn runs."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from govhall.portal.edge import GuideEdge
from govhall.portal.guide_response import EDGE_HEADER
from tests.portal.conftest import publish_new_conditions

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Edge:
    """The wrapped application, counting the requests that reached Django, and a client for it."""

    def __init__(self) -> None:
        self.django_calls: list[str] = []
        django_app = get_asgi_application()

        async def counting(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                self.django_calls.append(scope["path"])
            await django_app(scope, receive, send)

        self.clock = Clock()
        self.app = GuideEdge(counting, clock=self.clock)

    def request(self, method: str, path: str, **headers: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, path, headers=headers)

        return async_to_sync(go)()

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.request("GET", path, **headers)


@pytest.fixture
def edge() -> Iterator[Edge]:
    # As Django's own test clients do: the test's transaction must not be closed at the end of a request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Edge()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def url(matter: Any) -> str:
    return f"/portal/guide/{matter.code}/"


def test_the_second_request_is_answered_by_the_edge(edge: Edge, world: Any) -> None:
    first = edge.get(url(world.dibao), **{"Accept-Encoding": "gzip"})
    second = edge.get(url(world.dibao), **{"Accept-Encoding": "gzip"})
    assert edge.django_calls == [url(world.dibao)]
    assert first.status_code == second.status_code == 200
    assert second.content == first.content and "最低生活保障申请" in second.text  # httpx decompressed it
    assert second.headers["content-encoding"] == "gzip" and second.headers["etag"] == first.headers["etag"]
    assert EDGE_HEADER.lower() not in first.headers and EDGE_HEADER.lower() not in second.headers
    for name in ("content-type", "vary", "cache-control", "content-security-policy", "x-frame-options"):
        assert second.headers[name] == first.headers[name]
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    # The plain form is kept on its own, and is the same page.
    plain = edge.get(url(world.dibao), **{"Accept-Encoding": "identity"})
    edge.get(url(world.dibao), **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == first.content
    assert len(edge.django_calls) == 2
    raw = edge.app.store[(url(world.dibao), b"", True)].body
    assert gzip.decompress(raw) == plain.content


def test_a_request_with_cookies_goes_to_django(edge: Edge, world: Any) -> None:
    edge.get(url(world.dibao))
    large = edge.get(url(world.dibao), Cookie="gh_display=large")
    assert 'class="large"' in large.text and EDGE_HEADER.lower() not in large.headers
    edge.get(url(world.dibao), Cookie="sessionid=whatever")
    assert len(edge.django_calls) == 3


def test_head_gets_the_headers_only(edge: Edge, world: Any) -> None:
    full = edge.get(url(world.dibao), **{"Accept-Encoding": "identity"})
    head = edge.request("HEAD", url(world.dibao), **{"Accept-Encoding": "identity"})
    assert len(edge.django_calls) == 1
    assert head.status_code == 200 and head.content == b""
    assert (
        head.headers["content-length"] == str(len(full.content))
        and head.headers["etag"] == full.headers["etag"]
    )


def test_a_matching_etag_gets_304_from_the_edge(edge: Edge, world: Any) -> None:
    etag = edge.get(url(world.dibao)).headers["etag"]
    response = edge.get(url(world.dibao), **{"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b"" and response.headers["etag"] == etag
    assert "vary" in response.headers and len(edge.django_calls) == 1
    assert edge.get(url(world.dibao), **{"If-None-Match": 'W/"old"'}).status_code == 200
    assert len(edge.django_calls) == 1


def test_a_content_change_is_seen_once_the_one_second_memo_ends(edge: Edge, world: Any) -> None:
    """SCOPE-4: an edited guide reaches the edge's visitors within the generation's one-second memory."""
    edge.get(url(world.dibao))
    edge.get(url(world.dibao))  # from the edge, which has read the generation
    publish_new_conditions(world.dibao)
    assert "且家庭财产符合规定。" not in edge.get(url(world.dibao)).text  # within the second: the kept page
    assert len(edge.django_calls) == 1
    edge.clock.now += 1.0
    changed = edge.get(url(world.dibao))
    assert "且家庭财产符合规定。" in changed.text and len(edge.django_calls) == 2
    assert edge.get(url(world.dibao)).text == changed.text and len(edge.django_calls) == 2


def test_other_paths_pass_through(edge: Edge, world: Any) -> None:
    """Other pages, the guide's own sub-pages (the live queue among them) and unknown matters always reach
    Django."""
    paths = ["/portal/", f"/portal/guide/{world.dibao.code}/waiting/", "/portal/guide/NOSUCH/"]
    for path in paths * 2:
        edge.get(path)
    assert edge.django_calls == paths * 2
    assert edge.get("/portal/guide/NOSUCH/").status_code == 404
    post = edge.request("POST", url(world.dibao))
    assert post.status_code in (403, 405) and edge.django_calls[-1] == url(world.dibao)


def test_the_store_is_bounded(edge: Edge, world: Any) -> None:
    edge.app.max_entries = 2
    for n in range(4):
        edge.get(f"{url(world.dibao)}?n={n}")
    assert len(edge.app.store) == 2
    assert [key[1] for key in edge.app.store] == [b"n=2", b"n=3"]
