"""Signed pushes from the systems around the hall (NET-2): the provincial 好差评 system sends down a 差评
rated on its app; the city 12345 platform sends work orders and return-visit results.

They sign as we do (`provincial.sign`): headers ``X-App-Id``, ``X-Timestamp`` (ms), ``X-Nonce`` (32 hex
digits), ``X-Signature`` = hex HMAC-SM3 keyed with the target's shared secret over timestamp + nonce + the
body bytes. A request is refused (401, a structured error naming what is wrong, nothing written) when:
the target is not configured, the app id is another, a header is missing, the timestamp is more than
``INBOUND_MAX_SKEW`` seconds off (a replay of an old capture), the nonce was seen within that window (a
replay of a fresh one), or the signature does not match the body as received.

`SignedInbound(target)` is the django-ninja auth for such an endpoint; the endpoint's own session and token
authentication do not apply (a staff login cannot push a work order).
"""

from __future__ import annotations

import hmac
import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security.base import AuthBase

from govhall.core.errors import ServiceError
from govhall.exchange.provincial import sign, target_credentials

NONCE = re.compile(r"^[0-9a-fA-F]{16,64}$")
TARGET_NAMES = {"reviews": "省好差评系统", "hotline": "12345热线平台"}


class InboundRefused(ServiceError):
    status = 401
    code = "bad_signature"


def verify_signed(request: HttpRequest, target: str) -> str:
    """Check the signature headers of a push from `target`; returns its app id. Raises InboundRefused."""
    name = TARGET_NAMES.get(target, target)
    app_id, secret = target_credentials(target)
    if not secret:
        raise InboundRefused(
            f"本系统未配置与{name}的对接（应用编号和密钥），不接收推送。", code="not_configured"
        )
    headers = request.headers
    missing = [h for h in ("X-App-Id", "X-Timestamp", "X-Nonce", "X-Signature") if not headers.get(h)]
    if missing:
        raise InboundRefused(
            f"缺少签名请求头：{'、'.join(missing)}。", fields={h: "必填" for h in missing}, code="unsigned"
        )
    if headers["X-App-Id"] != app_id:
        raise InboundRefused("应用编号（X-App-Id）不符。", fields={"X-App-Id": "不符"})
    stamp, nonce = headers["X-Timestamp"], headers["X-Nonce"]
    if not stamp.isdigit():
        raise InboundRefused("时间戳（X-Timestamp）应为毫秒数。", fields={"X-Timestamp": "格式有误"})
    skew = settings.INBOUND_MAX_SKEW
    if abs(time.time() * 1000 - int(stamp)) > skew * 1000:
        raise InboundRefused(
            f"请求时间与本系统时间相差超过{skew}秒，已拒收（可能是重放的请求）。",
            fields={"X-Timestamp": "已过期"},
            code="stale_request",
        )
    if not NONCE.match(nonce):
        raise InboundRefused("随机数（X-Nonce）应为16至64位十六进制数字。", fields={"X-Nonce": "格式有误"})
    expected = sign(secret, stamp, nonce, request.body)
    if not hmac.compare_digest(expected, headers["X-Signature"].lower()):
        raise InboundRefused("签名验证失败。", fields={"X-Signature": "不符"})
    # Only a correctly signed request uses up its nonce, so garbage cannot block a real one.
    if not cache.add(f"exchange:inbound:{target}:{nonce.lower()}", 1, timeout=2 * skew + 60):
        raise InboundRefused(
            "该请求已收到过（随机数重复），已拒收。", fields={"X-Nonce": "重复"}, code="replayed_request"
        )
    return app_id


class SignedInbound(AuthBase):
    """django-ninja auth for a partner's signed push (see the module docstring)."""

    openapi_type = "apiKey"

    def __init__(self, target: str) -> None:
        self.target = target
        self.openapi_name = "X-Signature"  # the header an apiKey scheme names; the rest are described above
        self.openapi_in = "header"
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        return verify_signed(request, self.target)
