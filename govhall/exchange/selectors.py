"""Who sees the outboxes: the city bureau only (it runs the SMS gateway account and the provincial
platform connection); nobody else."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from govhall.core.crypto import lookup_digest
from govhall.core.errors import NotFound
from govhall.core.ids import normalize_mobile
from govhall.exchange.models import Notification, SyncItem, SyncStatus
from govhall.exchange.policy import can_see_outbox


def notifications_visible_to(user: Any) -> QuerySet[Notification]:
    if can_see_outbox(user):
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

        try:
            rows = rows.filter(recipient_digest=lookup_digest(normalize_mobile(phone)))
        except ValidationError:
            rows = rows.none()
    return rows.order_by("-created_at", "-id")


# --- provincial sync records (NET-2) -------------------------------------------------------------------


def sync_items_visible_to(user: Any) -> QuerySet[SyncItem]:
    if can_see_outbox(user):
        return SyncItem.objects.all()
    return SyncItem.objects.none()


def access_sync_item(user: Any, item_id: int) -> SyncItem:
    row = sync_items_visible_to(user).filter(pk=item_id).first()
    if row is None:
        raise NotFound()
    return row


def sync_items_for_outbox(
    user: Any, *, status: str = "", kind: str = "", dataset: str = "", q: str = ""
) -> QuerySet[SyncItem]:
    """The list page and API: newest first, without the (encrypted, possibly long) payload."""
    rows = sync_items_visible_to(user).defer("payload_text")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if dataset:
        rows = rows.filter(dataset=dataset)
    if q.strip():
        rows = rows.filter(object_label__icontains=q.strip())
    return rows.order_by("-created_at", "-id")


def sync_status_counts(user: Any, *, kind: str = "") -> dict[str, int]:
    """How many records are in each status (every status present, zero when none): one query."""
    rows = sync_items_visible_to(user)
    if kind:
        rows = rows.filter(kind=kind)
    found = dict(rows.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: found.get(status, 0) for status in SyncStatus.values}
