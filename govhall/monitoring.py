"""What /metrics and /readyz read about the records (issue 20): queue lengths per centre, the two outboxes,
overdue cases. core serves both URLs but sits below the apps, so settings.OPS_FIGURES and OPS_READINESS
name these two functions (as CSRF_FAILURE_VIEW names a page): this module sits at the top of the layer
order and may read every app. Each figure is one grouped query; a scrape costs a handful of them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from govhall.cases.models import CLOCK_RUNNING, Case
from govhall.core.metrics import Figure
from govhall.exchange.models import Notification, NotificationStatus, SyncItem, SyncStatus
from govhall.orgs.models import Centre
from govhall.queueing.models import WAITING_STATUSES, Ticket

PENDING_NOTIFICATIONS = (NotificationStatus.QUEUED, NotificationStatus.SENDING)
PENDING_SYNC = (SyncStatus.QUEUED, SyncStatus.SENDING)


def _centre_names(ids: set[int]) -> dict[int, str]:
    return dict(Centre.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _outboxes() -> dict[str, Any]:
    """Per outbox: items by status, and the oldest moment a pending item became due."""
    result: dict[str, Any] = {}
    for name, model, pending in (
        ("sms", Notification, PENDING_NOTIFICATIONS),
        ("province", SyncItem, PENDING_SYNC),
    ):
        counts = dict(model.objects.order_by().values_list("status").annotate(n=Count("id")))  # type: ignore[attr-defined]
        oldest = model.objects.filter(status__in=pending).aggregate(m=Min("next_attempt_at"))["m"]  # type: ignore[attr-defined]
        result[name] = {
            "counts": counts,
            "pending": sum(counts.get(s, 0) for s in pending),
            "oldest_due": oldest,
        }
    return result


def figures() -> list[Figure]:
    now = timezone.now()
    today = timezone.localdate()
    waiting = list(
        Ticket.objects.filter(date=today, status__in=WAITING_STATUSES)
        .order_by()
        .values_list("centre_id")
        .annotate(n=Count("id"))
    )
    overdue = list(
        Case.objects.filter(status__in=CLOCK_RUNNING, due_at__lt=now)
        .order_by()
        .values_list("handling_centre_id")
        .annotate(n=Count("id"))
    )
    names = _centre_names({c for c, _ in waiting} | {c for c, _ in overdue if c})
    outboxes = _outboxes()
    outbox_rows: list[tuple[list[str], float]] = []
    age_rows: list[tuple[list[str], float]] = []
    for box, data in outboxes.items():
        for status, n in sorted(data["counts"].items()):
            outbox_rows.append(([box, status], float(n)))
        oldest = data["oldest_due"]
        age_rows.append(
            ([box], max(0.0, (now - oldest).total_seconds()) if oldest and oldest <= now else 0.0)
        )
    return [
        (
            "govhall_queue_waiting",
            "Tickets waiting today, per centre",
            ["centre_id", "centre"],
            [([str(c), names.get(c, "")], float(n)) for c, n in waiting],
        ),
        (
            "govhall_cases_overdue",
            "Running cases past their promised date (red), per handling centre",
            ["centre_id", "centre"],
            [([str(c or ""), names.get(c, "") if c else ""], float(n)) for c, n in overdue],
        ),
        (
            "govhall_outbox_items",
            "Outbox items by outbox (sms, province) and status",
            ["outbox", "status"],
            outbox_rows,
        ),
        (
            "govhall_outbox_oldest_due_seconds",
            "Seconds the oldest due, unsent outbox item has waited (0 when none is due)",
            ["outbox"],
            age_rows,
        ),
    ]


def readiness() -> list[dict[str, Any]]:
    """The outbox and task-queue checks of /readyz: each {check, ok, code, message, value}."""
    now = timezone.now()
    outboxes = _outboxes()
    if not settings.PROVINCE_URL:  # kept queued on purpose until the platform is configured
        outboxes["province"]["oldest_due"] = None
    backlog = sum(data["pending"] for data in outboxes.values())
    waits = [
        (now - data["oldest_due"]).total_seconds()
        for data in outboxes.values()
        if data["oldest_due"] and data["oldest_due"] <= now
    ]
    age = max(waits, default=0.0)
    return [
        {
            "check": "task_queue_age",
            "ok": age <= settings.READY_MAX_TASK_AGE,
            "code": "task_queue_stalled",
            "message": f"后台任务积压：最早一条待发送的短信或省平台数据已等待 {age:.0f} 秒"
            f"（上限 {settings.READY_MAX_TASK_AGE} 秒），请检查 govhall run_huey 是否在运行",
            "value": round(age, 1),
        },
        {
            "check": "outbox_backlog",
            "ok": backlog <= settings.READY_MAX_OUTBOX,
            "code": "outbox_backlog",
            "message": f"待发送的短信和省平台数据共 {backlog} 条（上限 {settings.READY_MAX_OUTBOX} 条），"
            "请检查短信网关和省平台是否可用",
            "value": backlog,
        },
    ]
