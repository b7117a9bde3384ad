"""Fixtures for the notification outbox: huey in immediate mode, and a real local SMS gateway."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@pytest.fixture
def huey_immediate() -> Iterator[Any]:
    """Tasks run at once, in the test (a task scheduled for later waits in memory)."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


class Gateway:
    """A scripted SMS gateway: answers from `responses` in order (then 200), records every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: list[tuple[int, dict[str, Any]]] = []
        self.url = ""


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            status, answer = gateway.responses.pop(0) if gateway.responses else (200, {"id": f"gw-{len(gateway.requests)}"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.SMS_BACKEND = "http"
    settings.SMS_URL = gateway.url
    settings.SMS_TOKEN = "gateway-secret"
    settings.SMS_TIMEOUT = 5
    yield gateway
    server.shutdown()
    server.server_close()
