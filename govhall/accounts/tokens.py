"""API tokens: `Authorization: Bearer gh_<prefix>_<secret>`; only a digest is stored.

The secret is 256 random bits, so a keyed digest (HMAC-SM3, core.crypto.token_digest) is the right check:
a password hash would only slow every request. A process remembers a token it has checked, with its user,
the user's roles and centre, for API_TOKEN_CACHE_SECONDS (a few seconds): an API client's burst of
requests costs one look-up. Any change to a token, a user, a role or a centre empties this process's memory
at once (signals, see AccountsConfig.ready); another server process notices a revocation within the TTL.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from govhall.accounts.models import ApiToken
from govhall.core.audit import audit_record
from govhall.core.crypto import token_digest


def token_create(*, user: Any, name: str) -> tuple[Any, str]:
    """Create a token; return (row, plaintext). The plaintext is shown once and never stored."""
    prefix = secrets.token_hex(4)
    plaintext = f"gh_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=token_digest(plaintext))
    audit_record(action="api_token.create", obj=row, after={"name": name, "prefix": prefix}, actor=user)
    return row, plaintext


def token_revoke(*, token: Any, actor: Any) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action="api_token.revoke", obj=token, actor=actor)


_remembered: dict[str, tuple[float, Any]] = {}  # digest → (monotonic expiry, user with roles and centre)
_remembered_lock = threading.Lock()


def forget_checked_tokens(**_: object) -> None:
    """Empty this process's memory of checked tokens (a signal receiver: any token, user, role or centre
    change)."""
    with _remembered_lock:
        _remembered.clear()


def user_for_token(plaintext: str) -> object | None:
    digest = token_digest(plaintext)
    ttl = settings.API_TOKEN_CACHE_SECONDS
    if ttl > 0:
        with _remembered_lock:
            hit = _remembered.get(digest)
        if hit is not None and hit[0] > time.monotonic():
            return copy.copy(hit[1])  # each request gets its own instance; the cached facts come along
    user = _look_up(digest)
    if user is not None and ttl > 0:
        _ = user.role_codes  # remembered with the user: the next requests skip the role query too
        with _remembered_lock:
            if len(_remembered) > 10_000:
                _remembered.clear()
            _remembered[digest] = (time.monotonic() + ttl, user)
        return copy.copy(user)
    return user


def _look_up(digest: str) -> Any:
    row = (
        ApiToken.objects.select_related("user", "user__centre__division__parent")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user
