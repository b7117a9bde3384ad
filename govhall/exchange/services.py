"""Notifications: write to the outbox in the caller's transaction; the task worker sends after commit.

Sending is at-least-once: a row is claimed (queued → sending) before the gateway is called, so two
workers never send it at the same moment; a worker that dies mid-send leaves it in "sending", and the
periodic sweep puts it back after STALE_SENDING (the gateway's Idempotency-Key lets it drop the repeat).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from govhall.core.audit import audit_record
from govhall.core.crypto import lookup_digest
from govhall.core.errors import Conflict, field_error
from govhall.core.ids import mask_mobile, normalize_mobile
from govhall.exchange.backends import OutgoingSms, SendError, get_backend
from govhall.exchange.models import Channel, Notification, NotificationStatus

logger = logging.getLogger("govhall.exchange")

# Seconds to wait after failed attempts 1..6: an SMS is given up 2 h 42 min after its first try, so a gateway
# outage of an hour or two loses nothing (tests/ops/test_faults.py); the bureau can still press 重试 after.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # the seventh failure is final
STALE_SENDING = dt.timedelta(minutes=10)
SWEEP_GRACE = dt.timedelta(minutes=2)  # a queued row this overdue lost its task: enqueue it again
SMS_MAX_CHARS = 500


def _related(related: Any) -> tuple[str, str]:
    if related is None:
        return "", ""
    if isinstance(related, models.Model):
        return f"{related._meta.app_label}.{related._meta.model_name}", str(related.pk)
    kind, pk = related
    return str(kind), str(pk)


def _enqueue(notification_id: int, delay: float | None = None) -> None:
    # tasks.py imports this module at its top (its task calls notification_send): a call-time import
    from govhall.exchange.tasks import send_notification_task

    if delay:
        send_notification_task.schedule(args=(notification_id,), delay=delay)
    else:
        send_notification_task(notification_id)


def _enqueue_on_commit(notification_id: int) -> None:
    # robust: the change that caused the message is committed whatever happens here; a row whose
    # task could not be queued (Redis down) is picked up by the sweep.
    transaction.on_commit(lambda: _enqueue(notification_id), robust=True)


def notify_sms(
    *, phone: str, text: str, related: Any = None, template: str = "", sensitive: bool = False
) -> Notification:
    """Queue an SMS. Call it inside the transaction of the change it reports: it is sent only if that
    commits. `related` is a model instance or an (object type, id) pair; `sensitive` (verification
    codes) keeps the text off the bureau's outbox page."""
    try:
        phone = normalize_mobile(phone)
    except ValidationError as exc:
        raise field_error("phone", exc.messages[0]) from None
    text = (text or "").strip()
    if not text:
        raise field_error("text", "短信内容不能为空。")
    if len(text) > SMS_MAX_CHARS:
        raise field_error("text", f"短信内容不能超过{SMS_MAX_CHARS}字（现为{len(text)}字）。")
    related_type, related_id = _related(related)
    row = Notification.objects.create(
        channel=Channel.SMS,
        recipient=phone,
        recipient_digest=lookup_digest(phone),
        recipient_masked=mask_mobile(phone),
        template=template[:60],
        text=text,
        sensitive=sensitive,
        related_type=related_type[:60],
        related_id=related_id[:64],
    )
    _enqueue_on_commit(row.pk)
    return row


def notification_send(*, notification_id: int) -> str:
    """One delivery attempt (the task calls this). Returns sent / retry / failed / skipped."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=NotificationStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "skipped"  # already sent, being sent, failed for good, or not due yet
    row = Notification.objects.get(pk=notification_id)
    message = OutgoingSms(row.pk, row.recipient, row.text, row.template)
    try:
        reference = get_backend().send(message)
    except Exception as exc:
        permanent = isinstance(exc, SendError) and exc.permanent
        if not isinstance(exc, SendError):
            logger.exception("SMS backend failed on notification %s", row.pk)
        error = str(exc)[:300] or exc.__class__.__name__
        if permanent or row.attempts >= MAX_ATTEMPTS:
            Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.FAILED, last_error=error)
            logger.warning(
                "notification %s failed for good after %s attempt(s): %s", row.pk, row.attempts, error
            )
            return "failed"
        delay = RETRY_DELAYS[row.attempts - 1]
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.QUEUED,
            last_error=error,
            next_attempt_at=now + dt.timedelta(seconds=delay),
        )
        _enqueue(row.pk, delay=delay)
        return "retry"
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), provider_ref=reference, last_error=""
    )
    return "sent"


def notifications_requeue_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic sweep: put back rows whose worker died mid-send, and enqueue queued rows whose task
    was lost (the queue was down at commit, or the process stopped). Returns how many were enqueued."""
    now = now or timezone.now()
    stale = Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - STALE_SENDING)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=NotificationStatus.FAILED, last_error="发送过程中断"
    )
    revived = list(stale.values_list("pk", flat=True)[:limit])
    Notification.objects.filter(pk__in=revived, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.QUEUED, next_attempt_at=now, last_error="发送过程中断，将重试"
    )
    lost = list(
        Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now - SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: limit - len(revived)]
    )
    due = revived + lost
    for pk in due:
        _enqueue(pk)
    return len(due)


def notification_retry(*, notification: Notification, actor: Any) -> Notification:
    """The bureau sends a failed notification again (a fresh set of attempts)."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.status != NotificationStatus.FAILED:
            raise Conflict(f"只有发送失败的通知可以重新发送；该通知当前状态为“{row.get_status_display()}”。")
        before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
        row.status, row.attempts, row.next_attempt_at = NotificationStatus.QUEUED, 0, timezone.now()
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            action="notification.retry", obj=row, before=before, after={"status": row.status}, actor=actor
        )
        _enqueue_on_commit(row.pk)
    return row
