"""实名核验: checking that the name and ID number an account typed in belong together (and, where the
service supports it, to the account's mobile). GOVHALL_IDENTITY_BACKEND picks one backend:

- ``none`` (default): no verification service. Accounts stay *self-declared*: they may fill application
  forms, and reach window cases only by proving possession of each (query password, or an SMS code to the
  phone on the case).
- ``http``: the provincial 统一身份认证 / 公安 identity check, or an adapter in front of it.
  ``POST GOVHALL_IDENTITY_URL`` with JSON
  ``{"request_id": "…", "kind": "person", "name": "…", "id_number": "…", "mobile": "…"}`` (an enterprise adds
  ``"org_name"`` and ``"uscc"``; ``name`` / ``id_number`` are then its legal representative's), headers
  ``Authorization: Bearer GOVHALL_IDENTITY_TOKEN`` and ``X-App-Key: GOVHALL_IDENTITY_APP_KEY`` when set.
  A 2xx answer ``{"result": "match", "reference": "…"}`` verifies the account; ``{"result": "no_match"}``
  refuses it; anything else (other statuses, a timeout, an answer not understood) is an error and the
  account stays as it was.

A backend never raises: it answers an `IdentityResult`, whose `message` is fit to show to the citizen.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from django.conf import settings

logger = logging.getLogger("govhall.identity")


class Outcome(Enum):
    MATCH = "match"
    NO_MATCH = "no_match"
    ERROR = "error"


@dataclass(frozen=True)
class IdentityClaim:
    """What the account declares. For an enterprise, `name` / `id_number` are its legal representative's."""

    kind: str
    name: str
    id_number: str
    mobile: str = ""
    org_name: str = ""
    uscc: str = ""


@dataclass(frozen=True)
class IdentityResult:
    outcome: Outcome
    message: str
    reference: str = ""

    @property
    def matched(self) -> bool:
        return self.outcome is Outcome.MATCH


UNAVAILABLE = "本平台暂未接入公安实名核验服务，账户保持“自行填报（未核验）”状态。"


class IdentityBackend(Protocol):
    label: str  # recorded on the account as 核验方式
    available: bool

    def check(self, claim: IdentityClaim) -> IdentityResult: ...


class NoBackend:
    label = ""
    available = False

    def check(self, claim: IdentityClaim) -> IdentityResult:
        return IdentityResult(Outcome.ERROR, UNAVAILABLE)


class HttpBackend:
    label = "统一身份认证平台"
    available = True

    def __init__(self, url: str, *, token: str = "", app_key: str = "", timeout: float = 10) -> None:
        self.url, self.token, self.app_key, self.timeout = url, token, app_key, timeout

    def check(self, claim: IdentityClaim) -> IdentityResult:
        payload = {
            "request_id": f"govhall-{secrets.token_hex(8)}",
            "kind": claim.kind,
            "name": claim.name,
            "id_number": claim.id_number,
            "mobile": claim.mobile,
        }
        if claim.kind == "enterprise":
            payload.update(org_name=claim.org_name, uscc=claim.uscc)
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.app_key:
            headers["X-App-Key"] = self.app_key
        body = json.dumps(payload, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        failed = IdentityResult(
            Outcome.ERROR, "实名核验服务暂时无法使用，请稍后再试。您填写的信息已保存为“自行填报（未核验）”。"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read(8192))
        except urllib.error.HTTPError as exc:
            logger.warning("实名核验服务返回 HTTP %s（请求 %s）", exc.code, payload["request_id"])
            return failed
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            logger.warning(
                "实名核验服务无法访问：%s（请求 %s）", getattr(exc, "reason", exc), payload["request_id"]
            )
            return failed
        result = answer.get("result") if isinstance(answer, dict) else None
        reference = (
            str(answer.get("reference") or payload["request_id"])[:80] if isinstance(answer, dict) else ""
        )
        if result == Outcome.MATCH.value:
            return IdentityResult(Outcome.MATCH, "实名核验通过。", reference)
        if result == Outcome.NO_MATCH.value:
            what = "法定代表人姓名与身份证号码" if claim.kind == "enterprise" else "姓名与身份证号码"
            return IdentityResult(
                Outcome.NO_MATCH, f"实名核验未通过：{what}不一致，请核对后重新提交。", reference
            )
        logger.warning("实名核验服务的应答无法识别（请求 %s）", payload["request_id"])
        return failed


def get_backend() -> IdentityBackend:
    if settings.IDENTITY_BACKEND == "http":
        return HttpBackend(
            settings.IDENTITY_URL,
            token=settings.IDENTITY_TOKEN,
            app_key=settings.IDENTITY_APP_KEY,
            timeout=settings.IDENTITY_TIMEOUT,
        )
    return NoBackend()
