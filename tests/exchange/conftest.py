"""Fixtures for the notification outbox: huey in immediate mode, and a real local SMS gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.standin import JsonHandler, serving


@pytest.fixture(autouse=True)
def _no_automatic_province_sync(settings: Any) -> None:
    """The outbox tests queue records themselves; test_provincial_hooks.py turns the automatic hooks on."""
    settings.PROVINCE_SYNC_AUTO = False


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

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
            )
            status, answer = (
                gateway.responses.pop(0)
                if gateway.responses
                else (200, {"id": f"gw-{len(gateway.requests)}"})
            )
            self.answer(status, answer)

    with serving(Handler) as base:
        gateway.url = f"{base}/sms/send"
        settings.SMS_BACKEND = "http"
        settings.SMS_URL = gateway.url
        settings.SMS_TOKEN = "gateway-secret"
        settings.SMS_TIMEOUT = 5
        yield gateway


# --- a stand-in for the provincial platform (NET-2) -------------------------------------------------

PROVINCE_APP_ID = "qidong-govhall"
PROVINCE_SECRET = "province-shared-secret-0001"


def expected_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SM3 computed here from the `cryptography` primitives, independently of the code under test."""
    from cryptography.hazmat.primitives import hashes, hmac

    mac = hmac.HMAC(secret.encode(), hashes.SM3())
    mac.update(timestamp.encode() + nonce.encode() + body)
    return mac.finalize().hex()


class Province:
    """A platform's exchange endpoint: checks the app id and the signature of every request (401 when
    wrong, as the real gateway does), answers from `responses` in order (then a receipt), records requests.
    A response may be ("sleep", seconds) to answer too late. The same stand-in serves the provincial
    platform, the provincial 好差评 system and the city 12345 platform, each with its own app id and secret."""

    def __init__(self, app_id: str = PROVINCE_APP_ID, secret: str = PROVINCE_SECRET) -> None:
        self.requests: list[dict[str, Any]] = []
        self.responses: list[tuple[Any, Any]] = []
        self.app_id = app_id
        self.secret = secret
        self.url = ""
        self.signature_failures = 0

    @property
    def datasets(self) -> list[tuple[str, str]]:
        return [(r["body"]["objectId"], r["body"]["dataset"]) for r in self.requests]

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """The bodies the platform accepted (signature right, answered 2xx), in arrival order."""
        return [r["body"] for r in self.requests if r.get("accepted")]


@contextmanager
def signed_platform(settings: Any, prefix: str, app_id: str, secret: str, path: str) -> Iterator[Province]:
    """Serve a `Province` stand-in and point the `prefix` settings (PROVINCE, REVIEWS_FEED, HOTLINE) at it."""
    import time

    platform = Province(app_id, secret)

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            headers = dict(self.headers)
            good = headers.get("X-App-Id") == platform.app_id and headers.get(
                "X-Signature"
            ) == expected_signature(
                platform.secret, headers.get("X-Timestamp", ""), headers.get("X-Nonce", ""), raw
            )
            record = {
                "path": self.path,
                "headers": headers,
                "raw": raw,
                "body": json.loads(raw),
                "signature_ok": good,
            }
            platform.requests.append(record)
            if not good:
                platform.signature_failures += 1
                return self.answer(401, {"code": 401, "message": "签名验证失败"})
            status, answer = (
                platform.responses.pop(0)
                if platform.responses
                else (
                    200,
                    {"code": 0, "message": "成功", "data": {"receiptId": f"JS-{len(platform.requests):06d}"}},
                )
            )
            if status == "sleep":
                time.sleep(answer)
                return self.answer(200, {"code": 0, "data": {"receiptId": "TOO-LATE"}})
            record["accepted"] = 200 <= status < 300 and str((answer or {}).get("code", 0)) in ("0", "200")
            return self.answer(status, answer)

    with serving(Handler) as base:
        platform.url = f"{base}{path}"
        setattr(settings, f"{prefix}_URL", platform.url)
        setattr(settings, f"{prefix}_APP_ID", app_id)
        setattr(settings, f"{prefix}_SECRET", secret)
        setattr(settings, f"{prefix}_TIMEOUT", 5)
        yield platform


@pytest.fixture
def province(settings: Any) -> Iterator[Province]:
    with signed_platform(settings, "PROVINCE", PROVINCE_APP_ID, PROVINCE_SECRET, "/exchange/v1/receive") as p:
        yield p


def signed_headers(
    body: bytes, app_id: str, secret: str, *, timestamp: str = "", nonce: str = ""
) -> dict[str, str]:
    """The headers a partner system sends with a push to us (computed here, independently of govhall)."""
    import os
    import time

    timestamp = timestamp or str(int(time.time() * 1000))
    nonce = nonce or os.urandom(16).hex()
    return {
        "HTTP_X_APP_ID": app_id,
        "HTTP_X_TIMESTAMP": timestamp,
        "HTTP_X_NONCE": nonce,
        "HTTP_X_SIGNATURE": expected_signature(secret, timestamp, nonce, body),
    }


def signed_post(
    client: Any, url: str, payload: Any, app_id: str, secret: str, **header_overrides: str
) -> Any:
    """POST `payload` (a dict as JSON, or raw bytes) to our endpoint, signed as the partner signs."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    headers = signed_headers(body, app_id, secret)
    headers.update(header_overrides)
    return client.post(url, data=body, content_type="application/json", **headers)


@pytest.fixture
def province_unset(settings: Any) -> None:
    settings.PROVINCE_URL = ""
    settings.PROVINCE_APP_ID = ""
    settings.PROVINCE_SECRET = ""


@pytest.fixture
def publish_matter(db: object) -> Any:
    """Create and publish a catalogue matter through the catalogue's own services."""
    from govhall.catalog import services
    from govhall.orgs.models import Department
    from tests.catalog.conftest import materials_data, matter_data

    Department.objects.get_or_create(code="MZ", defaults={"name": "启东市民政局", "short_name": "民政"})
    counter = {"n": 0}

    def make(**overrides: Any) -> Any:
        counter["n"] += 1
        matter = services.matter_create(
            actor=None,
            code=f"3206810TEST{counter['n']:04d}",
            basic_code=f"T{counter['n']:04d}",
            data=matter_data(**overrides),
            materials=materials_data(),
        )
        services.matter_publish(actor=None, matter=matter, reason="测试")
        matter.refresh_from_db()
        return matter

    return make


@pytest.fixture
def case_clock() -> Iterator[None]:
    """Case tests run on a known working day (Tue 9 June 2026, 09:00), like the case app's own tests."""
    import time_machine

    from tests.cases.conftest import local

    with time_machine.travel(local(2026, 6, 9, 9, 0), tick=True):
        yield


@pytest.fixture
def flow(hall: Any, case_clock: None) -> Any:
    """The case app's sample hall, department, AB posts and matters (tests/cases/conftest.py)."""
    from tests.cases.conftest import make_flow

    return make_flow(hall)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
