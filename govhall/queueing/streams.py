"""Server-sent events for the display screens, under either server.

Under ASGI (uvicorn: single node and cluster) the stream is `govhall.core.events.sse_response`: it runs on
the event loop, hundreds of screens per process, fed by the process's one Redis subscription. Under WSGI
(Django's development and test servers) an async stream cannot be served, so the same protocol (retry hint,
`snapshot` event, one event per topic, keep-alives) comes from a blocking generator that holds one thread
and ends after `WSGI_LIFETIME` seconds (the browser's EventSource reconnects and gets a fresh snapshot).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

from govhall.core import events

WSGI_LIFETIME = 60.0
WSGI_HEARTBEAT = 5.0
RETRY_MS = 3000


def _sse(event: str | None, data: str) -> str:
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in data.split("\n")]
    return "\n".join(lines) + "\n\n"


def event_stream(
    request: HttpRequest, topics: list[str], *, initial: Callable[[], dict[str, Any]]
) -> HttpResponseBase:
    if isinstance(request, ASGIRequest):
        # The stream outlives this view by hours; the view's database connection must not (each open screen
        # would hold one). The snapshot opens and closes its own.
        connections.close_all()
        return events.sse_response(request, topics, initial=initial, retry_ms=RETRY_MS)
    response = StreamingHttpResponse(
        _blocking_stream(topics, initial), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


def _blocking_stream(topics: list[str], initial: Callable[[], dict[str, Any]]) -> Iterator[str]:
    with events.subscribe(topics) as subscription:
        yield f"retry: {RETRY_MS}\n\n"
        yield _sse("snapshot", json.dumps(initial(), ensure_ascii=False, default=str))
        deadline = time.monotonic() + WSGI_LIFETIME
        while time.monotonic() < deadline:
            event = subscription.get(WSGI_HEARTBEAT)
            if event is None:
                if subscription.closed:
                    return
                yield ": keep-alive\n\n"
                continue
            yield _sse(event.topic, event.raw)
