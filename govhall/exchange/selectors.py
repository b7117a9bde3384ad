"""Who sees the outbox: the city bureau only (it runs the SMS gateway account); nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from govhall.core.crypto import lookup_digest
from govhall.core.errors import NotFound
from govhall.exchange.models import Notification


def notifications_visible_to(user: Any) -> QuerySet[Notification]:
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_bureau:
        return Notification.objects.all()
    return Notification.objects.none()


def access_notification(user: Any, notification_id: int) -> Notification:
    row = notifications_visible_to(user).filter(pk=notification_id).first()
    if row is None:
        raise NotFound()
    return row


def notifications_for_outbox(
    user: Any, *, status: str = "", phone: str = "", template: str = ""
) -> QuerySet[Notification]:
    rows = notifications_visible_to(user)
    if status:
        rows = rows.filter(status=status)
    if template:
        rows = rows.filter(template=template)
    if phone:
        from django.core.exceptions import ValidationError

        from govhall.core.ids import normalize_mobile

        try:
            rows = rows.filter(recipient_digest=lookup_digest(normalize_mobile(phone)))
        except ValidationError:
            rows = rows.none()
    return rows.order_by("-created_at", "-id")
