"""`GuideEdge`: the anonymous guide page answered in front of Django (issue 15; SCOPE-4, NET-1).

An ASGI wrapper (installed in `govhall.asgi`). A GET or HEAD of a guide URL (`/portal/guide/<code>/`) with no
Cookie header is answered from a per-process store with the status, headers and body Django gave the same
path and query string (gzip or not, as the client accepts), as long as the portal's content generation has
not changed since: no middleware, no view, no thread hop. Django says which responses may be kept: the
whole-page guide (`portal.guide_response`) marks a response to a cookie-less request with `EDGE_HEADER`, whose
value is the content generation the page was built in; the edge strips the header, keeps the response and
replays it while that generation is current.

The generation is read through Django's cache at most once a second per process, so a content change (a
guide edited, a matter suspended, a centre moved) reaches every process within about a second. A matching
If-None-Match is answered 304, HEAD gets the headers only, every answer gets its own X-Request-ID. Anything
else — other paths (the event streams among them), other methods, any cookie, a response Django did not
mark — goes to Django untouched. Replayed answers bypass the request log and /metrics (they cost microseconds).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async

from govhall.core.middleware import request_id_for
from govhall.portal.content_cache import generation
from govhall.portal.guide_response import ACCEPTS_GZIP, EDGE_HEADER, NOT_MODIFIED_HEADERS, etag_matches

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GUIDE_PATH = re.compile(r"^/portal/guide/[^/]+/$")
MARKER = EDGE_HEADER.lower().encode()
# Per request, never replayed: the request id is the request's own, the length is recomputed for HEAD/304,
# and a response that sets a cookie is never kept at all.
NOT_KEPT = {b"x-request-id", b"content-length", b"date", b"server"}
NOT_MODIFIED = {name.lower().encode() for name in NOT_MODIFIED_HEADERS}

Key = tuple[str, bytes, bool]  # path, query string, gzip accepted


@dataclass(frozen=True)
class Kept:
    generation: str
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


class GuideEdge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_entries: int = 512,
        max_bytes: int = 32 * 1024 * 1024,
        memo_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.memo_seconds = memo_seconds
        self.clock = clock
        self.store: OrderedDict[Key, Kept] = OrderedDict()
        self.size = 0
        self._generation: tuple[float, str] | None = None  # (read at, value)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not GUIDE_PATH.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # a repeated header keeps its last value: enough for these three
        if headers.get(b"cookie"):
            await self.app(scope, receive, _stripping_marker(send))
            return
        gzipped = bool(ACCEPTS_GZIP.search(headers.get(b"accept-encoding", b"").decode("latin-1")))
        key: Key = (scope["path"], scope["query_string"], gzipped)
        kept = self.store.get(key)
        if kept is not None and kept.generation == await self.generation():
            self.store.move_to_end(key)
            await self._replay(kept, scope, headers, send)
            return
        if scope["method"] == "GET":
            await self.app(scope, receive, self._recording(key, send))
        else:
            await self.app(scope, receive, _stripping_marker(send))

    async def generation(self) -> str:
        """The content generation, read through the cache at most once per `memo_seconds`."""
        now = self.clock()
        memo = self._generation
        if memo is None or now - memo[0] >= self.memo_seconds:
            memo = (now, await sync_to_async(generation, thread_sensitive=False)())
            self._generation = memo
        return memo[1]

    async def _replay(self, kept: Kept, scope: Scope, headers: dict[bytes, bytes], send: Send) -> None:
        request_id = request_id_for(headers.get(b"x-request-id", b"").decode("latin-1") or None).encode()
        if_none_match = headers.get(b"if-none-match", b"").decode("latin-1")
        if kept.etag and etag_matches(if_none_match, kept.etag.decode("latin-1")):
            out = [(n, v) for n, v in kept.headers if n in NOT_MODIFIED]
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [*out, (b"x-request-id", request_id)],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        out = [
            *kept.headers,
            (b"content-length", str(len(kept.body)).encode()),
            (b"x-request-id", request_id),
        ]
        await send({"type": "http.response.start", "status": kept.status, "headers": out})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else kept.body})

    def _recording(self, key: Key, send: Send) -> Send:
        state: dict[str, Any] = {"generation": None, "chunks": []}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                marker, headers = _without_marker(message.get("headers", []))
                if (
                    marker is not None
                    and message["status"] == 200
                    and not any(n == b"set-cookie" for n, _ in headers)
                ):
                    state["generation"] = marker.decode("latin-1")
                    state["status"] = message["status"]
                    state["headers"] = tuple((n.lower(), v) for n, v in headers if n.lower() not in NOT_KEPT)
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and state["generation"] is not None:
                state["chunks"].append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._keep(key, state)
            await send(message)

        return recording_send

    def _keep(self, key: Key, state: dict[str, Any]) -> None:
        body = b"".join(state["chunks"])
        headers: tuple[tuple[bytes, bytes], ...] = state["headers"]
        etag = next((v for n, v in headers if n == b"etag"), b"")
        old = self.store.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        if len(body) > self.max_bytes // 4:
            return
        self.store[key] = Kept(state["generation"], state["status"], headers, body, etag)
        self.size += len(body)
        while len(self.store) > self.max_entries or self.size > self.max_bytes:
            _, dropped = self.store.popitem(last=False)
            self.size -= len(dropped.body)


def _without_marker(headers: Any) -> tuple[bytes | None, list[tuple[bytes, bytes]]]:
    marker = None
    out = []
    for name, value in headers:
        if name.lower() == MARKER:
            marker = value
        else:
            out.append((name, value))
    return marker, out


def _stripping_marker(send: Send) -> Send:
    async def stripping_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": _without_marker(message.get("headers", []))[1]}
        await send(message)

    return stripping_send
