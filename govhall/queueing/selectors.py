"""Reads for the queue pages, the display screens, the API and the figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean
from typing import Any

import segno
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from govhall.catalog.models import CentreMatter, MatterStatus
from govhall.core.errors import Conflict
from govhall.orgs.models import Centre, Department, Window, WindowClass
from govhall.orgs.policy import centres_visible_to
from govhall.queueing.models import (
    AT_WINDOW_STATUSES,
    WAITING_STATUSES,
    AppointmentSlot,
    CallLog,
    DisplayNotice,
    PriorityReason,
    QueueSettings,
    Ticket,
    TicketStatus,
    WindowState,
    WindowStatus,
)
from govhall.queueing.policy import FIGURES_ROLES, OPERATOR_ROLES
from govhall.queueing.services import (
    QueueKey,
    business_groups,
    centre_windows,
    estimate_wait,
    queue_label,
    queue_settings,
    resolve_queue,
    waiting_counts,
    window_queue_q,
)
from govhall.queueing.voice import VoiceMode

RECENT_CALLS = 8


def _minutes(seconds: Any) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def queue_labels(centre: Centre) -> dict[str, str]:
    labels = dict(business_groups(centre))
    for dept in Department.objects.filter(
        pk__in=Ticket.objects.filter(
            centre=centre, date=timezone.localdate(), department__isnull=False
        ).values("department_id")
    ):
        labels.setdefault(
            QueueKey(WindowClass.PROFESSIONAL, dept.pk).key,
            queue_label(QueueKey(WindowClass.PROFESSIONAL, dept.pk), dept),
        )
    return labels


def window_states(windows: list[Window]) -> dict[int, WindowState]:
    return {s.window_id: s for s in WindowState.objects.filter(window__in=windows)}


def current_tickets(centre_id: int) -> dict[int, Ticket]:
    return {
        t.called_window_id: t
        for t in Ticket.objects.filter(centre_id=centre_id, status__in=AT_WINDOW_STATUSES).order_by(
            "called_at"
        )
        if t.called_window_id is not None
    }


def display_snapshot(centre: Centre) -> dict[str, Any]:
    """Everything a display screen shows; the screen then follows live events."""
    today = timezone.localdate()
    windows = centre_windows(centre)
    states = window_states(windows)
    current = current_tickets(centre.pk)
    labels = queue_labels(centre)
    counts = waiting_counts(centre.pk, today)
    calls = (
        CallLog.objects.filter(centre=centre, at__date=today)
        .select_related("ticket", "window")
        .order_by("-at", "-id")[:RECENT_CALLS]
    )
    waits = [
        (t.called_at - t.issued_at).total_seconds()
        for t in Ticket.objects.filter(centre=centre, date=today, called_at__isnull=False).only(
            "called_at", "issued_at"
        )
        if t.called_at
    ]
    return {
        "centre": {
            "id": centre.pk,
            "name": centre.name,
            "complaint_phone": centre.complaint_phone,
            "phone": centre.phone,
            "opening_hours": centre.opening_hours,
        },
        "date": today.isoformat(),
        "server_time": timezone.now().isoformat(),
        "windows": [_window_row(w, states.get(w.pk), current.get(w.pk)) for w in windows],
        "calls": [
            {
                "code": c.ticket.code,
                "window": c.window.number,
                "window_name": c.window.name,
                "text": c.text,
                "at": c.at.isoformat(),
                "recall": c.kind == "recall",
                "call_id": c.pk,
            }
            for c in calls
        ],
        "queues": [{"key": k, "label": v, "waiting": counts.get(k, 0)} for k, v in labels.items()],
        "waiting": counts,
        "average_wait_minutes": _minutes(mean(waits)) if waits else None,
        "notices": display_notices(centre),
    }


def _window_row(window: Window, state: WindowState | None, ticket: Ticket | None) -> dict[str, Any]:
    status = state.status if state else WindowStatus.CLOSED
    return {
        "number": window.number,
        "name": window.name,
        "class": window.window_class,
        "status": status,
        "status_label": WindowStatus(status).label,
        "reason": state.get_reason_display() if state and state.reason else "",
        "note": state.note if state else "",
        "ticket": ticket.code if ticket else None,
    }


def ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """What the printed 80 mm ticket shows (queueing/_ticket80.html), for the queue's printout and the
    hall kiosk alike: number, matter, priority, people ahead, the QR code to follow it on a phone."""
    follow_url = request.build_absolute_uri(reverse("queueing:follow", args=[ticket.public_token]))
    return {
        "ticket": ticket,
        "centre": ticket.centre,
        "qr": segno.make(follow_url, error="m").svg_data_uri(scale=4, border=1),
        "follow_url": follow_url,
        "reinstate_minutes": (
            QueueSettings.objects.filter(centre_id=ticket.centre_id).first() or QueueSettings()
        ).reinstate_minutes,
        **ticket_position(ticket),
    }


def ticketing_hours(centre: Centre, now: dt.datetime | None = None) -> dict[str, Any]:
    """When tickets can be taken at the centre (its queue settings) and whether that is now, for the
    kiosk to say before the visitor chooses; the centre's stated office hours alongside."""
    qs = QueueSettings.objects.filter(centre=centre).first() or QueueSettings(centre=centre)
    local = timezone.localtime(now)
    return {
        "opens": qs.opening_time,
        "closes": qs.closing_time,
        "open_now": qs.opening_time <= local.time() < qs.closing_time,
        "office_hours": centre.opening_hours,
    }


def voice_mode(centre: Centre) -> str:
    """How the centre's display screens speak a call (QueueSettings.voice; auto without settings)."""
    mode = QueueSettings.objects.filter(centre=centre).values_list("voice", flat=True).first()
    return mode or VoiceMode.AUTO


def display_notices(centre: Centre, *, matters: int = 40) -> list[dict[str, str]]:
    """Rolling notices (NET-3): the centre's policies and announcements, its matters with their promised
    time limits and fees from the catalogue, and the complaint phone."""
    today = timezone.localdate()
    notices = [
        {"kind": "policy", "title": n.title, "text": n.text}
        for n in DisplayNotice.objects.filter(centre=centre, is_active=True).exclude(valid_until__lt=today)
    ]
    links = (
        CentreMatter.objects.filter(
            centre=centre,
            is_active=True,
            matter__status=MatterStatus.ACTIVE,
            matter__current_version__isnull=False,
        )
        .select_related("matter__current_version")
        .order_by("matter__code")[:matters]
    )
    for link in links:
        v = link.matter.current_version
        if v is None:
            continue
        notices.append(
            {
                "kind": "matter",
                "title": v.name,
                "text": f"承诺时限：{v.promised_limit_display()}；{v.fee_display()}",
            }
        )
    if centre.complaint_phone:
        notices.append(
            {
                "kind": "complaint",
                "title": "投诉电话",
                "text": f"对我们的服务有意见或建议，请拨打投诉电话 {centre.complaint_phone}",
                "phone": centre.complaint_phone,
            }
        )
    if centre.supervision_phone:
        notices.append(
            {
                "kind": "supervision",
                "title": "监督电话",
                "text": f"监督电话 {centre.supervision_phone}",
                "phone": centre.supervision_phone,
            }
        )
    return notices


def screen_columns(windows: int) -> int:
    """Columns of window cards on the 1920×1080 hall screen: up to 30 windows fit without scrolling
    (screen.js computes the same when windows change)."""
    if windows <= 8:
        return 4 if windows > 6 else 3
    if windows <= 15:
        return 5
    return 6


PINNED_NOTICES = ("complaint", "supervision")


def split_notices(notices: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """NET-3 on the screen: the complaint and supervision phones stay on screen, the rest rotate."""
    pinned = [n for n in notices if n["kind"] in PINNED_NOTICES]
    return pinned, [n for n in notices if n["kind"] not in PINNED_NOTICES]


def waiting_tickets(centre: Centre) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(centre=centre, date=timezone.localdate(), status__in=WAITING_STATUSES)
        .select_related("matter", "department", "target_window")
        .order_by("-priority", "queued_at", "id")
    )


def skipped_tickets(centre: Centre) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(centre=centre, date=timezone.localdate(), status=TicketStatus.SKIPPED)
        .select_related("called_window")
        .order_by("-skipped_at")
    )


def window_panel(window: Window) -> dict[str, Any]:
    """What the clerk's workbench shows."""
    state = WindowState.objects.filter(window=window).first()
    current = (
        Ticket.objects.filter(called_window=window, status__in=AT_WINDOW_STATUSES)
        .select_related("matter", "department")
        .first()
    )
    today = timezone.localdate()
    queue = Ticket.objects.filter(centre_id=window.centre_id, date=today, status__in=WAITING_STATUSES).filter(
        window_queue_q(window)
    )
    done_today = Ticket.objects.filter(called_window=window, date=today, status=TicketStatus.DONE).count()
    return {
        "window": window,
        "state": state,
        "status": state.status if state else WindowStatus.CLOSED,
        "current": current,
        "waiting": queue.count(),
        "next_up": list(queue.select_related("matter").order_by("-priority", "queued_at", "id")[:5]),
        "done_today": done_today,
        "transfers": current.transfers.select_related("from_window", "to_window").all() if current else [],
    }


def ticket_position(ticket: Ticket) -> dict[str, Any]:
    ahead, minutes = estimate_wait(ticket)
    return {"ahead": ahead, "wait_minutes": minutes}


# --- figures -----------------------------------------------------------------------------------------


def _stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    waits = [r["wait"] for r in rows if r["wait"] is not None]
    services = [r["service"] for r in rows if r["service"] is not None]
    return {
        "issued": len(rows),
        "served": sum(1 for r in rows if r["status"] == TicketStatus.DONE),
        "unserved": sum(1 for r in rows if r["status"] == TicketStatus.UNSERVED),
        "cancelled": sum(1 for r in rows if r["status"] == TicketStatus.CANCELLED),
        "avg_wait_minutes": _minutes(mean(waits)) if waits else None,
        "max_wait_minutes": _minutes(max(waits)) if waits else None,
        "avg_service_minutes": _minutes(mean(services)) if services else None,
    }


def figures(centre: Centre, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """Waiting and service time per ticket, window, clerk, class and hour of issue."""
    rows = []
    qs = (
        Ticket.objects.filter(centre=centre, date__gte=date_from, date__lte=date_to)
        .select_related("called_window", "served_by", "department")
        .only(
            "prefix",
            "number",
            "date",
            "status",
            "window_class",
            "department__short_name",
            "department__name",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "called_window__number",
            "called_window__name",
            "served_by__full_name",
            "served_by__staff_no",
            "served_by__username",
            "priority",
            "close_note",
        )
        .order_by("date", "issued_at")
    )
    for t in qs:
        key = QueueKey(t.window_class, t.department_id)
        rows.append(
            {
                "code": t.code,
                "date": t.date.isoformat(),
                "status": t.status,
                "status_label": t.get_status_display(),
                "queue": key.key,
                "queue_label": queue_label(key, t.department),
                "window": t.window_number,
                "clerk": str(t.served_by) if t.served_by_id else None,
                "hour": timezone.localtime(t.issued_at).hour,
                "issued_at": t.issued_at.isoformat(),
                "wait": (t.called_at - t.issued_at).total_seconds() if t.called_at else None,
                "service": (t.finished_at - t.started_at).total_seconds()
                if t.started_at and t.finished_at
                else None,
                "priority": t.priority,
                "note": t.close_note,
            }
        )

    def group(field: str) -> list[dict[str, Any]]:
        buckets: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            if r[field] is not None:
                buckets[r[field]].append(r)
        return [
            {"key": k, **_stats(v)} for k, v in sorted(buckets.items(), key=lambda kv: str(kv[0]).zfill(4))
        ]

    by_queue = group("queue")
    labels = {r["queue"]: r["queue_label"] for r in rows}
    for item in by_queue:
        item["label"] = labels[item["key"]]
    return {
        "centre": centre.name,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "total": _stats(rows),
        "by_queue": by_queue,
        "by_window": group("window"),
        "by_clerk": group("clerk"),
        "by_hour": group("hour"),
        "tickets": [
            {k: v for k, v in r.items()}
            | {"wait_minutes": _minutes(r["wait"]), "service_minutes": _minutes(r["service"])}
            for r in rows
        ],
    }


def operable_centres(user: Any) -> QuerySet[Centre]:
    if user.is_superuser:
        return Centre.objects.filter(is_active=True)
    if user.centre_id and user.has_role(*OPERATOR_ROLES):
        return Centre.objects.filter(pk=user.centre_id, is_active=True)
    return Centre.objects.none()


def figures_centres(user: Any) -> QuerySet[Centre]:
    if not (user.is_superuser or user.has_role(*FIGURES_ROLES)):
        return Centre.objects.none()
    return centres_visible_to(user).filter(is_active=True).order_by("division__code")


def todays_tickets(centre: Centre) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(centre=centre, date=timezone.localdate())
        .select_related("matter", "called_window")
        .order_by("issued_at", "id")
    )


def issue_options(centre: Centre) -> dict[str, Any]:
    """What a visitor may pick at the kiosk or on the phone: business groups, the centre's matters (each
    with the queue it would wait in) and the centre's priority rules."""
    windows = centre_windows(centre)
    groups = business_groups(centre)
    matters = []
    links = (
        CentreMatter.objects.filter(
            centre=centre,
            is_active=True,
            matter__status=MatterStatus.ACTIVE,
            matter__current_version__isnull=False,
        )
        .select_related("matter__current_version")
        .order_by("matter__current_version__window_class", "matter__code")
    )
    for link in links:
        v = link.matter.current_version
        if v is None:
            continue
        key = QueueKey(
            v.window_class, v.window_department_id if v.window_class == WindowClass.PROFESSIONAL else None
        )
        try:
            key = resolve_queue(centre, key, windows)
        except Conflict:  # no window serves it here: not offered
            continue
        matters.append(
            {
                "id": link.matter_id,
                "code": link.matter.code,
                "name": v.name,
                "queue": key.key,
                "supports_appointment": v.supports_appointment,
            }
        )
    reasons = [
        (r, PriorityReason(r).label)
        for r in queue_settings(centre).priority_reasons
        if r in PriorityReason.values and r != PriorityReason.APPOINTMENT
    ]
    return {"groups": groups, "matters": matters, "priority_reasons": reasons}


def open_slots(centre: Centre, *, date: dt.date | None = None) -> QuerySet[Any]:
    now = timezone.localtime()
    qs = AppointmentSlot.objects.filter(centre=centre, date__gte=now.date()).order_by("date", "start")
    if date is not None:
        qs = qs.filter(date=date)
    return qs.exclude(date=now.date(), start__lte=now.time())[:500]


def window_state(window: Window) -> WindowState | None:
    return WindowState.objects.filter(window=window).first()


def ticket_at_window(window: Window) -> Ticket | None:
    """The ticket called to or served at the window now."""
    return Ticket.objects.filter(called_window=window, status__in=["called", "serving"]).first()


def printed_ticket(centre: Centre, token: str) -> Ticket | None:
    """The ticket the guide desk has just issued (its public token from the redirect)."""
    return Ticket.objects.filter(public_token=token[:24], centre=centre).first()


def upcoming_slots(centre: Centre, *, limit: int = 200) -> QuerySet[Any]:
    """A centre's appointment slots from today on, for its director's slot page."""
    return AppointmentSlot.objects.filter(centre=centre, date__gte=timezone.localdate()).order_by(
        "date", "start"
    )[:limit]


def slot_by_id(pk: int) -> Any:
    return AppointmentSlot.objects.filter(pk=pk).first()
