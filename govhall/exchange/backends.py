"""SMS gateways. GOVHALL_SMS_BACKEND picks one:

- ``log`` (default): writes the message to the log, so a developer sees verification codes. It sends
  nothing; do not use it in production (the log would hold the codes).
- ``http``: POSTs JSON to GOVHALL_SMS_URL (the city's SMS gateway or an adapter in front of it):
  ``{"id": "govhall-42", "phone": "13800138000", "text": "…", "template": "case.accepted"}`` with
  ``Authorization: Bearer GOVHALL_SMS_TOKEN`` when set and an ``Idempotency-Key`` header that stays the
  same across retries of one notification. A 2xx answer means accepted (a JSON ``{"id": …}`` in it is kept
  as the gateway's reference); 4xx other than 408/429 is a permanent refusal; anything else is retried.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from govhall.core.ids import mask_mobile

logger = logging.getLogger("govhall.sms")


class SendError(Exception):
    """The gateway did not take the message. `permanent` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class OutgoingSms:
    notification_id: int
    phone: str
    text: str
    template: str


class LogBackend:
    def send(self, message: OutgoingSms) -> str:
        logger.info("短信（未实际发送）→ %s：%s", mask_mobile(message.phone), message.text)
        return ""


class HttpBackend:
    def __init__(self, url: str, token: str = "", timeout: float = 10) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: OutgoingSms) -> str:
        body = json.dumps(
            {
                "id": f"govhall-{message.notification_id}",
                "phone": message.phone,
                "text": message.text,
                "template": message.template,
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": f"govhall-sms-{message.notification_id}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(4096)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SendError(f"短信网关返回 HTTP {exc.code}", permanent=permanent) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SendError(f"无法连接短信网关：{reason}") from None
        try:
            return str(json.loads(answer).get("id", ""))[:80]
        except (ValueError, AttributeError):
            return ""


def get_backend() -> LogBackend | HttpBackend:
    if settings.SMS_BACKEND == "http":
        return HttpBackend(settings.SMS_URL, settings.SMS_TOKEN, settings.SMS_TIMEOUT)
    return LogBackend()
