"""Server-sent events through a real ASGI server (uvicorn, in a thread of this process)."""

from __future__ import annotations

import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from django.urls import path

from govhall.core import events
from govhall.core.management.commands.serve import GovhallServer

BASE = f"test.sse.{uuid.uuid4().hex[:8]}"


def plain_stream(request):
    return events.sse_response(request, [f"{BASE}.*"], initial=lambda: {"waiting": 3}, heartbeat=0.3)


def rendered_stream(request):
    return events.sse_response(
        request,
        [f"{BASE}.*"],
        render=lambda e: f"<li>{e.payload['ticket']}</li>\n<li>窗口 {e.payload['window']}</li>",
    )


class URLS:  # a urlconf object (hashable, unlike a namespace) for ROOT_URLCONF
    urlpatterns = [path("plain", plain_stream), path("rendered", rendered_stream)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings) -> Iterator[tuple[str, GovhallServer, threading.Thread]]:
    settings.ROOT_URLCONF = URLS
    from govhall.asgi import application

    port = free_port()
    srv = GovhallServer(
        uvicorn.Config(
            application, port=port, lifespan="off", log_level="warning", timeout_graceful_shutdown=10
        )
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}", srv, thread
    srv.should_exit = True
    thread.join(10)


def read_messages(lines: Iterator[str], count: int) -> list[str]:
    """Collect `count` SSE blocks (separated by blank lines)."""
    blocks, current = [], []
    for line in lines:
        if line == "":
            if current:
                blocks.append("\n".join(current))
                current = []
                if len(blocks) == count:
                    return blocks
            continue
        current.append(line)
    return blocks


def test_display_stream_sends_retry_snapshot_events_and_heartbeats(server):
    base_url, _, _ = server
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{base_url}/plain") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"].startswith("no-cache")
        assert response.headers["x-accel-buffering"] == "no"
        lines = response.iter_lines()
        assert read_messages(lines, 2) == ["retry: 3000", 'event: snapshot\ndata: {"waiting":3}']
        # The subscription is live before the snapshot is sent: an event published now is not lost.
        events.publish(f"{BASE}.centre.12.called", {"ticket": "A012", "window": 3})
        message = read_messages(lines, 1)[0]
        assert message == f'event: {BASE}.centre.12.called\ndata: {{"ticket":"A012","window":3}}'
        assert read_messages(lines, 1) == [": keep-alive"]  # nothing published for 0.3 s


def test_rendered_stream_sends_each_line_of_a_fragment_as_data(server):
    base_url, _, _ = server
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{base_url}/rendered") as response:
        lines = response.iter_lines()
        assert read_messages(lines, 1) == ["retry: 3000"]
        deadline = time.monotonic() + 5
        while events._broker.subscriber_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)  # no snapshot to wait for here: wait for the subscription itself
        events.publish(f"{BASE}.called", {"ticket": "B007", "window": 2})
        assert read_messages(lines, 1) == [
            f"event: {BASE}.called\ndata: <li>B007</li>\ndata: <li>窗口 2</li>"
        ]


def test_stopping_the_server_ends_open_streams_at_once(server):
    """Ctrl-C with display screens connected: the server stops well before its graceful timeout (10 s)."""
    base_url, srv, thread = server
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{base_url}/plain") as response:
        lines = response.iter_lines()
        read_messages(lines, 2)
        started = time.monotonic()
        srv.handle_exit(signal.SIGINT, None)
        remainder = list(lines)  # the server ends the stream
        thread.join(10)
        assert not thread.is_alive()
        assert time.monotonic() - started < 3
    assert all(line.startswith(":") or line == "" for line in remainder)


def test_a_screen_that_disconnects_is_unsubscribed(server):
    """Screens reconnect all day; each gone connection must free its subscription."""
    base_url, _, _ = server
    before = events._broker.subscriber_count()
    with httpx.Client(timeout=10) as client:
        for attempt in range(3):
            with client.stream("GET", f"{base_url}/plain") as response:
                lines = response.iter_lines()  # (dropping the iterator would close the connection)
                read_messages(lines, 2)
                assert events._broker.subscriber_count() == before + 1, attempt
    deadline = time.monotonic() + 5
    while events._broker.subscriber_count() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert events._broker.subscriber_count() == before
