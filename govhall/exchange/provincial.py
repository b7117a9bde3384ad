"""The client for the provincial platform (江苏政务服务网 / 一窗综合受理平台), NET-2.

One request per sync record: ``POST GOVHALL_PROVINCE_URL`` with a JSON body

    {"requestId": "govhall-sync-42", "appId": "…", "objectType": "case", "objectId": "<办件编号>",
     "dataset": "accept", "datasetName": "受理", "data": {…the dataset…}}

and these headers (the provincial gateways' signing scheme):

- ``X-App-Id``: GOVHALL_PROVINCE_APP_ID
- ``X-Timestamp``: milliseconds since the epoch; ``X-Nonce``: 32 random hex digits
- ``X-Signature``: hex HMAC-SM3, keyed with GOVHALL_PROVINCE_SECRET, over timestamp + nonce + body
  (the body exactly as sent, UTF-8)
- ``X-Request-Id``: the same on every retry of one record, so the platform can drop a repeat

Answers:

- 2xx with ``{"code": 0, "data": {"receiptId": "…"}}`` (``code`` "0"/200 or absent, receipt also read from
  ``receiptId`` / ``id`` at the top level): accepted, the receipt id is kept.
- 2xx with any other ``code``, or 4xx other than 408/429: the platform refused the data (validation). Final;
  its ``message`` (or ``msg`` / ``error``) is kept for the bureau.
- 408, 429, 5xx, a timeout or no connection: retried later.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from govhall.core.crypto import sm3_hmac

ERROR_MAX = 500
OK_CODES = ("0", "200")


class ProvinceError(Exception):
    """The platform did not take the record. `permanent` ones (refusals) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message[:ERROR_MAX])
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingRecord:
    request_id: str
    object_type: str
    object_id: str
    dataset: str
    dataset_name: str
    data: dict[str, Any]


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SM3 over timestamp + nonce + body, hex."""
    return sm3_hmac(secret.encode(), timestamp.encode() + nonce.encode() + body).hex()


def _platform_message(raw: bytes) -> str:
    """The reason the platform gave: its JSON message field, else the start of the body."""
    try:
        answer = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace").strip()[:300]
    if isinstance(answer, dict):
        for key in ("message", "msg", "error", "errMsg"):
            if answer.get(key):
                value = answer[key]
                return (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))[:300]
    return json.dumps(answer, ensure_ascii=False)[:300]


def _receipt(answer: Any) -> str:
    if not isinstance(answer, dict):
        return ""
    data = answer.get("data")
    for source in (data if isinstance(data, dict) else {}, answer):
        for key in ("receiptId", "receipt_id", "id"):
            if source.get(key) not in (None, ""):
                return str(source[key])[:100]
    return ""


class ProvinceClient:
    def __init__(self, url: str, app_id: str, secret: str, timeout: float = 15) -> None:
        self.url, self.app_id, self.secret, self.timeout = url, app_id, secret, timeout

    def headers(self, body: bytes, request_id: str) -> dict[str, str]:
        timestamp = str(int(time.time() * 1000))
        nonce = os.urandom(16).hex()
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-App-Id": self.app_id,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": sign(self.secret, timestamp, nonce, body),
            "X-Request-Id": request_id,
        }

    def send(self, record: OutgoingRecord) -> str:
        """Deliver one record; returns the platform's receipt id. Raises ProvinceError."""
        body = json.dumps(
            {
                "requestId": record.request_id,
                "appId": self.app_id,
                "objectType": record.object_type,
                "objectId": record.object_id,
                "dataset": record.dataset,
                "datasetName": record.dataset_name,
                "data": record.data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's http(s) setting)
            self.url, data=body, headers=self.headers(body, record.request_id), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            said = _platform_message(exc.read(65536))
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            text = f"省平台拒收（HTTP {exc.code}）" if permanent else f"省平台暂时无法处理（HTTP {exc.code}）"
            raise ProvinceError(f"{text}：{said}" if said else text, permanent=permanent) from None
        except TimeoutError:
            raise ProvinceError(f"省平台在{self.timeout:g}秒内没有应答") from None
        except (urllib.error.URLError, OSError) as exc:
            reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, TimeoutError):
                raise ProvinceError(f"省平台在{self.timeout:g}秒内没有应答") from None
            raise ProvinceError(f"无法连接省平台：{reason}") from None
        try:
            answer = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ProvinceError(f"省平台的应答不是JSON：{raw[:200].decode('utf-8', 'replace')}") from None
        code = answer.get("code") if isinstance(answer, dict) else None
        if code is not None and str(code) not in OK_CODES:
            raise ProvinceError(f"省平台拒收（代码 {code}）：{_platform_message(raw)}", permanent=True)
        return _receipt(answer)


# Each target's settings prefix: PROVINCE_URL / _APP_ID / _SECRET / _TIMEOUT, REVIEWS_FEED_…, HOTLINE_….
SETTINGS_PREFIX = {"province": "PROVINCE", "reviews": "REVIEWS_FEED", "hotline": "HOTLINE"}


def _target_setting(target: str, name: str) -> Any:
    return getattr(settings, f"{SETTINGS_PREFIX[target]}_{name}")


def is_configured(target: str = "province") -> bool:
    return bool(_target_setting(target, "URL"))


def configured_targets() -> list[str]:
    return [t for t in SETTINGS_PREFIX if is_configured(t)]


def get_client(target: str = "province") -> ProvinceClient | None:
    """None while the target's URL (GOVHALL_PROVINCE_URL, GOVHALL_REVIEWS_FEED_URL, GOVHALL_HOTLINE_URL) is
    unset: nothing is sent and the records stay queued."""
    if not is_configured(target):
        return None
    return ProvinceClient(
        _target_setting(target, "URL"),
        _target_setting(target, "APP_ID"),
        _target_setting(target, "SECRET"),
        _target_setting(target, "TIMEOUT"),
    )


def target_credentials(target: str) -> tuple[str, str]:
    """(app id, secret) a target signs its inbound requests with; empty while it is not configured."""
    if not is_configured(target):
        return "", ""
    return _target_setting(target, "APP_ID"), _target_setting(target, "SECRET")
