"""API tokens: `Authorization: Bearer gh_<prefix>_<secret>`; only a digest is stored."""

from __future__ import annotations

import secrets
from typing import Any

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


def user_for_token(plaintext: str) -> object | None:
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(plaintext), revoked_at__isnull=True, user__is_active=True)
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
