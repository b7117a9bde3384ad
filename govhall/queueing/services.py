"""Queue services: issue, call, recall, skip, reinstate, transfer, start, finish, cancel; window open / pause /
resume / close (STD-7); end-of-day closing; appointments.

Concurrency. Several server processes serve one centre at once:
- Numbering is one statement, `INSERT … ON CONFLICT DO UPDATE SET last_number = last_number + 1
  RETURNING last_number`, on the (centre, date, prefix) counter row: PostgreSQL row-locks the counter until
  the transaction commits, SQLite holds its database write lock (transactions BEGIN IMMEDIATE). A unique
  constraint on (centre, date, prefix, number) backs it. On PostgreSQL the ticket's INSERT is the same
  statement (the upsert as its WITH), so an issue is that statement, the audit append and the commit.
- Call-next locks the window's state row (one call at a time per window) and picks the first waiting ticket
  with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two windows never get the same ticket and never
  wait on each other; then updates it with a status guard. On SQLite the write lock serialises writers.
Events for the display screens go out on commit.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from govhall.catalog.models import CentreMatter, Matter
from govhall.core import events
from govhall.core.audit import audit_record
from govhall.core.compiled import CompiledRead
from govhall.core.crypto import lookup_digest
from govhall.core.errors import Conflict, NotFound, field_error
from govhall.core.ids import id_card_birth_date, normalize_id_card, normalize_mobile
from govhall.core.memo import ProcessMemo
from govhall.exchange.services import notify_sms
from govhall.orgs.models import COMPREHENSIVE_CLASSES, Centre, Department, Window, WindowClass
from govhall.orgs.windows import window_takes
from govhall.queueing.models import (
    AT_WINDOW_STATUSES,
    PROFESSIONAL_LETTERS,
    WAITING_STATUSES,
    Appointment,
    AppointmentSlot,
    BookingStatus,
    CallKind,
    CallLog,
    PauseReason,
    PriorityReason,
    QueueSettings,
    Ticket,
    TicketSource,
    TicketStatus,
    TicketTransfer,
    WindowPause,
    WindowState,
    WindowStatus,
)
from govhall.queueing.voice import call_clips

logger = logging.getLogger("govhall.queueing")

# --- queues: which windows serve which tickets ----------------------------------------------------


@dataclass(frozen=True)
class QueueKey:
    """A class queue: a window class, plus the department for professional windows."""

    window_class: str
    department_id: int | None = None

    @property
    def key(self) -> str:
        return (
            f"professional:{self.department_id}"
            if self.window_class == WindowClass.PROFESSIONAL
            else self.window_class
        )

    @property
    def window_department_id(self) -> int | None:
        """The department of a professional queue (what `orgs.windows.window_takes` reads of a matter)."""
        return self.department_id


def parse_queue_key(value: str, *, field: str = "group") -> QueueKey:
    """ "minsheng", "quanke", "professional:12" → QueueKey; raises a field error otherwise."""
    value = (value or "").strip()
    if value.startswith("professional:"):
        try:
            return QueueKey(WindowClass.PROFESSIONAL, int(value.split(":", 1)[1]))
        except ValueError:
            pass
    elif value in WindowClass.values and value != WindowClass.PROFESSIONAL:
        return QueueKey(value)
    raise field_error(field, f"业务类别“{value}”不存在，请从列表中选择。")


def window_queue_q(window: Window) -> Q:
    """The tickets a window may call: those of its class queues not sent to another window, and those
    transferred to this very window. The query form of `orgs.windows.window_takes` for resolved queues (a
    professional matter without its 专窗 here waits in the 全科 queue, `resolve_queue`)."""
    if window.window_class == WindowClass.PROFESSIONAL:
        klass = Q(window_class=WindowClass.PROFESSIONAL, department_id=window.department_id)
    elif window.window_class == WindowClass.QUANKE:
        klass = Q(window_class__in=[*COMPREHENSIVE_CLASSES, WindowClass.QUANKE])
    else:
        klass = Q(window_class=window.window_class)
    return Q(target_window=window) | (Q(target_window__isnull=True) & klass)


def queue_label(key: QueueKey, department: Department | None = None) -> str:
    if key.window_class == WindowClass.PROFESSIONAL:
        dept = department or Department.objects.filter(Q(pk=key.department_id)).first()
        return f"{dept.short_name or dept.name}专窗" if dept else "专业窗口"
    return WindowClass(key.window_class).label


# Per-process memories (core.memo) of what every issue and call reads; emptied on any change to the rows
# (QueueingConfig.ready). Callers get their own copies.
SETTINGS_MEMO: ProcessMemo[QueueSettings] = ProcessMemo("queue-settings")
WINDOWS_MEMO: ProcessMemo[Any] = ProcessMemo("queue-windows")


def centre_windows(centre: Centre | int) -> list[Window]:
    """The centre's active windows in number order, each with its department."""
    centre_id = centre if isinstance(centre, int) else centre.pk

    def load() -> list[Window]:
        return list(
            Window.objects.filter(centre_id=centre_id, is_active=True)
            .select_related("department")
            .order_by("number")
        )

    return [copy.copy(w) for w in WINDOWS_MEMO.get(("centre", centre_id), load)]


def active_window(window_id: int) -> Window | None:
    """An active window with its centre and department (the window every clerk's operation names)."""

    def load() -> Window | None:
        return (
            Window.objects.select_related("centre", "department").filter(pk=window_id, is_active=True).first()
        )

    window = WINDOWS_MEMO.get(("window", window_id), load)
    return copy.copy(window) if window is not None else None


def resolve_queue(centre: Centre, key: QueueKey, windows: list[Window] | None = None) -> QueueKey:
    """The queue a ticket of `key` waits in at this centre: the key itself when the centre has a window of
    that class (department), else the 全科 queue when it has 全科 windows (villages: 一窗受理), else an
    error. Every ticket thus waits in a queue the centre's screens and figures list."""
    windows = centre_windows(centre) if windows is None else windows
    if any(
        w.window_class == key.window_class
        and (key.window_class != WindowClass.PROFESSIONAL or w.department_id == key.department_id)
        for w in windows
    ):
        return key
    if any(w.window_class == WindowClass.QUANKE for w in windows):
        return QueueKey(WindowClass.QUANKE)
    raise Conflict(f"本中心没有受理“{queue_label(key)}”业务的窗口，请到导服台咨询。", code="no_window")


def business_groups(centre: Centre, windows: list[Window] | None = None) -> list[tuple[str, str]]:
    """The business groups a visitor may pick without naming a matter: one per class queue the centre's
    windows serve (key, label)."""
    seen: dict[str, str] = {}
    for w in centre_windows(centre) if windows is None else windows:
        if w.window_class == WindowClass.PROFESSIONAL:
            key = QueueKey(WindowClass.PROFESSIONAL, w.department_id)
            seen.setdefault(key.key, queue_label(key, w.department))
        else:
            seen.setdefault(w.window_class, WindowClass(w.window_class).label)
    return list(seen.items())


# --- settings and numbering -----------------------------------------------------------------------


def queue_settings(centre: Centre | int) -> QueueSettings:
    """The centre's own queue settings row, created with the defaults on first use."""
    centre_id = centre if isinstance(centre, int) else centre.pk

    def load() -> QueueSettings:
        obj, _ = QueueSettings.objects.get_or_create(centre_id=centre_id)
        return obj

    return copy.copy(SETTINGS_MEMO.get(centre_id, load))


def prefix_for(qs: QueueSettings, key: QueueKey) -> str:
    """The letter of a queue. Professional departments without a configured letter get the next free one,
    saved in the settings (under a row lock) so it stays the same every day."""
    if key.window_class != WindowClass.PROFESSIONAL:
        return (
            qs.prefixes.get(key.window_class)
            or QueueSettings._meta.get_field("prefixes").default()[key.window_class]
        )
    dept = Department.objects.get(Q(pk=key.department_id))
    letter = (qs.department_prefixes or {}).get(dept.code)
    if letter:
        return letter
    with transaction.atomic():
        locked = QueueSettings.objects.select_for_update().get(pk=qs.pk)
        assigned = dict(locked.department_prefixes or {})
        if dept.code not in assigned:
            used = set(locked.prefixes.values()) | set(assigned.values())
            free = [c for c in PROFESSIONAL_LETTERS if c not in used]
            if not free:
                raise Conflict("专业窗口号码前缀已用完，请在排队设置中为部门指定前缀。")
            assigned[dept.code] = free[0]
            locked.department_prefixes = assigned
            locked.save(update_fields=["department_prefixes", "updated_at"])
        qs.department_prefixes = assigned
        return assigned[dept.code]


# The locked upsert of the (centre, day, prefix) counter that numbers every ticket (module docstring): run
# alone by `_next_number`, and as the WITH of the one-statement issue on PostgreSQL (`_ISSUE_SQL`).
_COUNTER_UPSERT_SQL = (
    "INSERT INTO queueing_ticketcounter (centre_id, date, prefix, last_number) VALUES (%s, %s, %s, 1) "
    "ON CONFLICT (centre_id, date, prefix) "
    "DO UPDATE SET last_number = queueing_ticketcounter.last_number + 1 RETURNING last_number"
)


def _next_number(centre_id: int, date: dt.date, prefix: str) -> int:
    """One locked upsert on the counter row (see the module docstring)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_UPSERT_SQL, [centre_id, date.isoformat(), prefix])
        return int(cursor.fetchone()[0])


# --- validation helpers -----------------------------------------------------------------------------


def _clean(normalize: Any, value: str, field: str) -> str:
    """'' stays ''; anything else is normalised (mobile number, ID number) or a field error."""
    if not value:
        return ""
    try:
        return normalize(value)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None


def _clean_phone(value: str) -> str:
    return _clean(normalize_mobile, value, "phone")


def _clean_id(value: str) -> str:
    return _clean(normalize_id_card, value, "id_number")


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _ticket_state(ticket: Ticket) -> dict[str, Any]:
    return {
        "status": ticket.status,
        "window": ticket.called_window_id,
        "class": ticket.window_class,
        "department": ticket.department_id,
        "target_window": ticket.target_window_id,
    }


# --- events -------------------------------------------------------------------------------------------


def topic(centre_id: int, kind: str) -> str:
    return f"queueing.centre.{centre_id}.{kind}"


# The waiting statuses written into the SQL (they are the model's choice constants, not input): the planner
# must see that a statement's condition implies `ticket_waiting_idx`'s, also in a generic prepared plan.
_WAITING_IN = "(" + ", ".join(f"'{status}'" for status in WAITING_STATUSES) + ")"
# Fixed SQL for what every issue and call reads after its commit (issue 15: the ORM built the same query per
# request). Portable: PostgreSQL and SQLite.
_WAITING_COUNTS_SQL = (
    "SELECT window_class, department_id, COUNT(*) FROM queueing_ticket "  # noqa: S608 (constants only)
    f"WHERE centre_id = %s AND date = %s AND status IN {_WAITING_IN} GROUP BY window_class, department_id"
)


def waiting_counts(centre_id: int, date: dt.date | None = None) -> dict[str, int]:
    """Waiting tickets per class queue key, today: counted by the database, one row per queue
    (`ticket_waiting_idx`)."""
    with connection.cursor() as cursor:
        cursor.execute(_WAITING_COUNTS_SQL, [centre_id, (date or _today()).isoformat()])
        rows = cursor.fetchall()
    counts: dict[str, int] = {}
    for klass, dept, count in rows:
        key = QueueKey(klass, dept).key
        counts[key] = counts.get(key, 0) + count
    return counts


def _publish(centre_id: int, kind: str, payload: dict[str, Any], *, counts: bool = True) -> None:
    """Announce a change to the screens when the transaction commits. The waiting counts are read after the
    commit, outside the locks that serialise numbering and calling; a screen shows the counts of the
    latest event it received."""
    message = {"kind": kind, **payload}
    if not counts:
        events.publish_on_commit(topic(centre_id, kind), message)
        return

    def send() -> None:
        try:
            events.publish(topic(centre_id, kind), {**message, "waiting": waiting_counts(centre_id)})
        except Exception:  # the change is committed; a lost notification must not turn it into an error
            logger.exception("could not publish queue event %s", kind)

    transaction.on_commit(send)


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    window = ticket.called_window
    return {
        "id": ticket.pk,
        "code": ticket.code,
        "status": ticket.status,
        "queue": QueueKey(ticket.window_class, ticket.department_id).key,
        "window": window.number if window else None,
        "window_name": window.name if window else "",
        "priority": ticket.priority,
    }


def announcement(ticket: Ticket, window: Window) -> str:
    return f"请{ticket.prefix}{ticket.number:03d}号到{window.number}号窗口办理"


# --- issuing -------------------------------------------------------------------------------------------


@dataclass
class IssueResult:
    """A new ticket and what the issuer must be told at once. The wait estimate (those ahead, minutes) is
    not part of it: it is read where the visitor follows the ticket (`estimate_wait`, the follow page and
    its API), so issuing stays a short write (issue 15)."""

    ticket: Ticket
    warnings: list[str] = field(default_factory=list)


def _matter_queue(centre: Centre, matter_id: int) -> tuple[Matter, QueueKey]:
    link = (
        CentreMatter.objects.select_related("matter__current_version")
        .filter(centre=centre, matter_id=matter_id, is_active=True)
        .first()
    )
    if link is None or not link.matter.is_serviceable:
        raise field_error("matter", "本中心不办理该事项，或该事项已暂停、取消；请重新选择或到导服台咨询。")
    version = link.matter.current_version
    assert version is not None  # is_serviceable
    dept_id = version.window_department_id if version.window_class == WindowClass.PROFESSIONAL else None
    return link.matter, QueueKey(version.window_class, dept_id)


def ticket_issue(
    *,
    centre: Centre,
    matter_id: int | None = None,
    group: str = "",
    priority_reason: str = "",
    priority_note: str = "",
    phone: str = "",
    id_number: str = "",
    source: str = TicketSource.KIOSK,
    by: Any = None,
    now: dt.datetime | None = None,
    appointment: Appointment | None = None,
) -> IssueResult:
    """Take a ticket for a matter (or a business group) at a centre."""
    now = now or _now()
    if not centre.is_active:
        raise NotFound()
    if source not in TicketSource.values:
        raise field_error("source", "取号方式无效。")
    qs = queue_settings(centre)
    local = timezone.localtime(now)
    if not (qs.opening_time <= local.time() < qs.closing_time):
        raise Conflict(
            f"当前不在取号时间内（{qs.opening_time:%H:%M}—{qs.closing_time:%H:%M}），请在办公时间内取号。",
            code="closed",
        )
    windows = centre_windows(centre)
    matter = None
    if matter_id is not None:
        matter, key = _matter_queue(centre, matter_id)
        group_label = ""
    elif group:
        key = parse_queue_key(group)
        if key.key not in dict(business_groups(centre, windows)):
            raise field_error("group", "本中心没有该业务类别的窗口，请从列表中选择。")
        group_label = queue_label(key)
    else:
        raise field_error("matter", "请选择要办理的事项或业务类别。")
    key = resolve_queue(centre, key, windows)

    phone = _clean_phone(phone)
    id_number = _clean_id(id_number)
    if source == TicketSource.PHONE and not phone:
        raise field_error("phone", "手机取号须填写手机号码，用于叫号提醒。")

    priority = False
    if priority_reason:
        allowed = set(qs.priority_reasons) | ({PriorityReason.APPOINTMENT} if appointment else set())
        if priority_reason not in PriorityReason.values or priority_reason not in allowed:
            raise field_error("priority_reason", "该优先情形不在本中心的优先规则内。")
        if priority_reason == PriorityReason.APPOINTMENT and appointment is None:
            raise field_error("priority_reason", "预约优先须通过预约签到取号。")
        priority = True
    elif (
        id_number
        and PriorityReason.ELDERLY in qs.priority_reasons
        and _age_on(id_card_birth_date(id_number), local.date()) >= qs.elderly_age
    ):
        priority, priority_reason = True, PriorityReason.ELDERLY

    with transaction.atomic():
        if (
            phone
            and source == TicketSource.PHONE
            and Ticket.objects.filter(
                centre=centre,
                date=local.date(),
                phone_digest=lookup_digest(phone),
                status__in=WAITING_STATUSES,
            ).exists()
        ):
            raise Conflict("该手机号码今天在本中心已有等候中的号，请勿重复取号。", code="duplicate")
        prefix = prefix_for(qs, key)
        ticket = Ticket(
            centre=centre,
            date=local.date(),
            prefix=prefix,
            window_class=key.window_class,
            department_id=key.department_id,
            matter=matter,
            business_group=group_label or "",
            source=source,
            priority=priority,
            priority_reason=priority_reason if priority else "",
            priority_note=priority_note[:100] if priority else "",
            phone=phone,
            phone_digest=lookup_digest(phone) if phone else "",
            id_number=id_number,
            id_digest=lookup_digest(id_number) if id_number else "",
            issued_by=by if getattr(by, "pk", None) else None,
            issued_at=now,
            queued_at=now,
        )
        serving = [w.pk for w in windows if window_takes(w, key, desks=windows)]
        if connection.vendor == "postgresql":
            any_open = _insert_numbered(ticket, serving)
        else:
            ticket.number = _next_number(centre.pk, ticket.date, prefix)
            ticket.save(force_insert=True)
            any_open = None
        _publish(centre.pk, "issued", {"ticket": ticket_payload(ticket)})
        # The audit append serialises all writers until commit: keep it the last statement.
        audit_record(
            action="ticket.issue",
            obj=ticket,
            actor=by if getattr(by, "pk", None) else None,
            after={"code": ticket.code, "queue": key.key, "priority": priority, "source": source},
        )
    if any_open is None:
        any_open = not open_window_ids(centre.pk).isdisjoint(serving)
    warnings = [] if any_open else ["该类窗口目前均未开放或暂停服务，请耐心等候。"]
    return IssueResult(ticket=ticket, warnings=warnings)


_ISSUE_SQL = (
    "WITH counter AS (" + _COUNTER_UPSERT_SQL + ")\n"  # noqa: S608 (constants only)
    """INSERT INTO queueing_ticket ({columns}, number) SELECT {placeholders}, last_number FROM counter
RETURNING id, number, EXISTS (
    SELECT 1 FROM queueing_windowstate WHERE window_id = ANY(%s) AND status = %s
)
"""
)


@functools.cache
def _issue_statement() -> tuple[str, tuple[Any, ...]]:
    """The issue statement for this process, built once from the model's fields (a field added to Ticket
    is inserted too), and those fields in the order of its placeholders."""
    fields = tuple(f for f in Ticket._meta.local_concrete_fields if not f.primary_key and f.name != "number")
    sql = _ISSUE_SQL.format(
        columns=", ".join(connection.ops.quote_name(str(f.column)) for f in fields),
        placeholders=", ".join("%s" for _ in fields),
    )
    return sql, fields


def _insert_numbered(ticket: Ticket, serving: list[int]) -> bool:
    """PostgreSQL: number and insert the ticket in one statement (issue 15), the number taken by the same
    locked upsert of the (centre, day, prefix) counter as `_next_number`: the counter row stays locked until
    commit and `ticket_number_unique` backs it. Returns whether one of the `serving` windows is open."""
    sql, fields = _issue_statement()
    values = [f.get_db_prep_save(f.pre_save(ticket, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                ticket.centre_id,
                ticket.date.isoformat(),
                ticket.prefix,
                *values,
                serving,
                str(WindowStatus.OPEN),
            ],
        )
        ticket.pk, ticket.number, any_open = cursor.fetchone()
    ticket._state.adding, ticket._state.db = False, connection.alias
    return bool(any_open)


_OPEN_WINDOWS_SQL = (
    "SELECT s.window_id FROM queueing_windowstate s JOIN orgs_window w ON w.id = s.window_id "
    "WHERE w.centre_id = %s AND w.is_active = %s AND s.status = %s"
)


def open_window_ids(centre_id: int) -> set[int]:
    """The centre's active windows in service (fixed SQL: read on every issue on SQLite and by the wait
    estimate)."""
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_WINDOWS_SQL, [centre_id, True, str(WindowStatus.OPEN)])
        return {row[0] for row in cursor.fetchall()}


def ahead_of(ticket: Ticket) -> int:
    """Waiting tickets that will be called before this one in its queue."""
    if not ticket.is_waiting:
        return 0
    same_queue = Ticket.objects.filter(
        Q(window_class=ticket.window_class, department_id=ticket.department_id),
        centre_id=ticket.centre_id,
        date=ticket.date,
        status__in=WAITING_STATUSES,
    ).exclude(pk=ticket.pk)
    if ticket.priority:
        before = Q(priority=True) & (
            Q(queued_at__lt=ticket.queued_at) | Q(queued_at=ticket.queued_at, pk__lt=ticket.pk)
        )
    else:
        before = (
            Q(priority=True)
            | Q(queued_at__lt=ticket.queued_at)
            | Q(queued_at=ticket.queued_at, pk__lt=ticket.pk)
        )
    return same_queue.filter(before).count()


def average_service_minutes(centre_id: int, key: QueueKey, date: dt.date, default: int) -> float:
    rows = list(
        Ticket.objects.filter(
            Q(window_class=key.window_class, department_id=key.department_id),
            centre_id=centre_id,
            date=date,
            status=TicketStatus.DONE,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:30]
    )
    spans = [(f - s).total_seconds() for s, f in rows if s is not None and f is not None]
    if not spans:
        return float(default)
    return sum(spans) / len(spans) / 60


def estimate_wait(
    ticket: Ticket,
    *,
    windows: list[Window] | None = None,
    open_ids: set[int] | None = None,
    settings: QueueSettings | None = None,
) -> tuple[int, int]:
    """(tickets ahead, estimated minutes): those ahead × the recent average service time of the queue,
    shared among the open windows serving it (at least one)."""
    if not ticket.is_waiting:
        return 0, 0
    ahead = ahead_of(ticket)
    qs = settings or queue_settings(ticket.centre_id)
    key = QueueKey(ticket.window_class, ticket.department_id)
    avg = average_service_minutes(ticket.centre_id, key, ticket.date, qs.default_service_minutes)
    windows = (
        windows
        if windows is not None
        else list(Window.objects.filter(centre_id=ticket.centre_id, is_active=True))
    )
    open_ids = open_ids if open_ids is not None else open_window_ids(ticket.centre_id)
    serving = [w for w in windows if w.pk in open_ids and window_takes(w, key, desks=windows)]
    return ahead, math.ceil(ahead * avg / max(1, len(serving)))


# --- windows: open, pause, resume, close ---------------------------------------------------------------


# Every clerk's operation at a window reads these two; compiled once per process (core.compiled, issue 15).
_STATE = CompiledRead(lambda window_id: WindowState.objects.select_for_update().filter(window_id=window_id))
_AT_WINDOW = CompiledRead(
    lambda window_id: Ticket.objects.filter(called_window_id=window_id, status__in=AT_WINDOW_STATUSES)[:1]
)


def _locked_state(window: Window) -> WindowState:
    """The window's state row, locked: one operation at a time per window."""
    rows = _STATE.all(window.pk)  # one row at most: the state is one-to-one with the window
    if not rows:
        WindowState.objects.get_or_create(window=window)
        rows = _STATE.all(window.pk)
    return rows[0]


def _window_payload(window: Window, state: WindowState) -> dict[str, Any]:
    return {
        "window": window.number,
        "window_name": window.name,
        "status": state.status,
        "reason": state.get_reason_display() if state.reason else "",
        "note": state.note,
        "since": state.since.isoformat() if state.since else None,
    }


def _current_ticket(window: Window) -> Ticket | None:
    """The ticket called or in service at the window (the latest, should there ever be two)."""
    rows = _AT_WINDOW.all(window.pk)
    ticket = rows[0] if rows else None
    if ticket is not None:
        ticket.called_window = window  # known: no second read for the screens' payload
    return ticket


def window_open(*, window: Window, by: Any, now: dt.datetime | None = None) -> WindowState:
    """Start service at a window (the clerk signs in to it)."""
    now = now or _now()
    with transaction.atomic():
        state = _locked_state(window)
        if state.status == WindowStatus.PAUSED:
            raise Conflict("窗口处于暂停服务状态，请点击“恢复服务”。")
        before = state.status
        state.status, state.reason, state.note, state.since, state.clerk = WindowStatus.OPEN, "", "", now, by
        state.save()
        audit_record(
            action="window.open",
            obj=window,
            before={"status": before},
            after={"status": state.status},
            actor=by,
        )
        _publish(window.centre_id, "window", _window_payload(window, state), counts=False)
    return state


def window_pause(
    *, window: Window, reason: str, note: str = "", by: Any, now: dt.datetime | None = None
) -> WindowState:
    """暂停服务 (STD-7): the window gets no calls; its waiting visitors stay in the class queue."""
    now = now or _now()
    if reason not in PauseReason.values:
        raise field_error("reason", "请选择暂停服务的原因。")
    if reason == PauseReason.OTHER and not note.strip():
        raise field_error("note", "暂停原因为“其他”时请填写说明。")
    with transaction.atomic():
        state = _locked_state(window)
        if state.status != WindowStatus.OPEN:
            raise Conflict(f"窗口当前为“{state.get_status_display()}”，只有服务中的窗口可以暂停服务。")
        current = _current_ticket(window)
        if current is not None:
            raise Conflict(
                f"窗口还有{current.code}号正在{current.get_status_display()}，请先结束办理、过号或转移。"
            )
        state.status, state.reason, state.note, state.since = (
            WindowStatus.PAUSED,
            reason,
            note.strip()[:100],
            now,
        )
        state.save()
        WindowPause.objects.create(window=window, reason=reason, note=state.note, by=by, started_at=now)
        audit_record(
            action="window.pause",
            obj=window,
            before={"status": WindowStatus.OPEN},
            after={"status": state.status, "reason": reason, "note": state.note},
            actor=by,
        )
        _publish(window.centre_id, "window", _window_payload(window, state), counts=False)
    return state


def window_resume(*, window: Window, by: Any, now: dt.datetime | None = None) -> WindowState:
    now = now or _now()
    with transaction.atomic():
        state = _locked_state(window)
        if state.status != WindowStatus.PAUSED:
            raise Conflict(f"窗口当前为“{state.get_status_display()}”，不是暂停服务状态。")
        WindowPause.objects.filter(window=window, ended_at__isnull=True).update(ended_at=now, ended_by=by)
        state.status, state.reason, state.note, state.since, state.clerk = WindowStatus.OPEN, "", "", now, by
        state.save()
        audit_record(
            action="window.resume",
            obj=window,
            before={"status": WindowStatus.PAUSED},
            after={"status": state.status},
            actor=by,
        )
        _publish(window.centre_id, "window", _window_payload(window, state), counts=False)
    return state


def window_close(
    *, window: Window, by: Any, now: dt.datetime | None = None, force: bool = False
) -> WindowState:
    """End service at a window. A ticket still at the window must be finished, skipped or transferred first
    (never lose a visitor); `force` (end of day) ends open pauses and closes anyway."""
    now = now or _now()
    with transaction.atomic():
        state = _locked_state(window)
        if not force:
            current = _current_ticket(window)
            if current is not None:
                raise Conflict(
                    f"窗口还有{current.code}号正在{current.get_status_display()}，请先结束办理、过号或转移。"
                )
        if state.status == WindowStatus.CLOSED:
            return state
        before = state.status
        WindowPause.objects.filter(window=window, ended_at__isnull=True).update(ended_at=now, ended_by=by)
        state.status, state.reason, state.note, state.since, state.clerk = (
            WindowStatus.CLOSED,
            "",
            "",
            now,
            None,
        )
        state.save()
        audit_record(
            action="window.close",
            obj=window,
            before={"status": before},
            after={"status": state.status},
            actor=by,
        )
        _publish(window.centre_id, "window", _window_payload(window, state), counts=False)
    return state


# --- calling ---------------------------------------------------------------------------------------


def _require_open(state: WindowState) -> None:
    if state.status == WindowStatus.PAUSED:
        raise Conflict(
            f"窗口处于暂停服务状态（{state.get_reason_display()}），不能叫号；请先恢复服务。",
            code="window_paused",
        )
    if state.status != WindowStatus.OPEN:
        raise Conflict("窗口尚未开始服务，请先点击“开始服务”。", code="window_closed")


def _log_call(ticket: Ticket, window: Window, kind: str, by: Any, now: dt.datetime) -> CallLog:
    return CallLog.objects.create(
        centre_id=ticket.centre_id,
        ticket=ticket,
        window=window,
        kind=kind,
        text=announcement(ticket, window),
        by=by if getattr(by, "pk", None) else None,
        at=now,
    )


def _call_payload(log: CallLog, ticket: Ticket, window: Window) -> dict[str, Any]:
    return {
        "ticket": ticket_payload(ticket),
        "text": log.text,
        "clips": call_clips(ticket.code, window.number),
        "at": log.at.isoformat(),
        "call_id": log.pk,
        "recall": log.kind == CallKind.RECALL,
    }


def ticket_call_next(*, window: Window, by: Any, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket for this window: priority first, then the longest waiting. A ticket still
    called (not started) at the window is marked 过号 first; one in service must be finished first.
    Returns None when nobody is waiting."""
    now = now or _now()
    with transaction.atomic():
        state = _locked_state(window)
        _require_open(state)
        current = _current_ticket(window)
        if current is not None and current.status == TicketStatus.SERVING:
            raise Conflict(f"{current.code}号正在办理中，请先结束办理再叫下一位。", code="serving")
        if connection.vendor == "postgresql":
            called = _call_next_in_one_statement(window, current, by, now)
        else:
            if current is not None:
                _skip(current, window=window, by=by, now=now, audit=False, publish=False)
            called = _call_next_in_steps(window, _candidates(window, timezone.localdate(now)), by, now)
        if current is not None:
            current.status, current.skipped_at = TicketStatus.SKIPPED, now
            _publish(window.centre_id, "update", {"ticket": ticket_payload(current)}, counts=False)
        if called is None:
            if current is not None:
                _audit_skip(current, window, by)  # audited last, see below
            return None
        ticket, log, before = called
        _publish(window.centre_id, "call", _call_payload(log, ticket, window))
        # One entry for the whole call (the chain is held once per transaction): a ticket still called at
        # the window and marked 过号 by this call is named in it.
        after: dict[str, Any] = {"status": ticket.status, "window": window.number}
        if current is not None:
            after["skipped"] = {"id": current.pk, "code": current.code, "status": TicketStatus.SKIPPED}
        audit_record(action="ticket.call", obj=ticket, before={"status": before}, after=after, actor=by)
    return ticket


_CALL_NEXT_SQL = """
WITH nxt (id, old_status) AS MATERIALIZED ({pick}),
skipped AS (
    UPDATE queueing_ticket SET status = %s, skipped_at = %s WHERE id = %s
),
called AS (
    UPDATE queueing_ticket t
    SET status = %s, called_window_id = %s, called_at = %s, served_by_id = %s, target_window_id = NULL
    FROM nxt WHERE t.id = nxt.id AND t.status IN (%s, %s)
    RETURNING t.*, nxt.old_status
),
logged AS (
    INSERT INTO queueing_calllog (centre_id, ticket_id, window_id, kind, text, by_id, at)
    SELECT centre_id, id, %s, %s,
        '请' || prefix || lpad(number::text, greatest(3, length(number::text)), '0') || %s, %s, %s
    FROM called
    RETURNING id AS call_log_id, text AS call_text
)
SELECT called.*, logged.call_log_id, logged.call_text FROM called, logged
"""


def _candidates(window: Window, day: dt.date) -> Any:
    """The tickets the window may call today, in calling order: priority first, then the longest waiting."""
    return (
        Ticket.objects.filter(centre_id=window.centre_id, date=day, status__in=WAITING_STATUSES)
        .filter(window_queue_q(window))
        .order_by("-priority", "queued_at", "id")
    )


def _pick_query(candidates: Any) -> Any:
    return candidates.select_for_update(skip_locked=True, of=("self",)).values_list("id", "status")[:1]


# The pick's SQL per database and window class, as Django compiles it (issue 15: compiling it was a fifth of
# a call's CPU). Its parameters are laid out by `_pick_params`; a shape whose compiled parameters differ
# from that layout is never kept, and is compiled on every call instead.
_PICK_SQL: dict[tuple[str, str, str], str] = {}


def _pick_params(window: Window, day: dt.date) -> list[Any]:
    """The pick's parameters in the order of `window_queue_q`'s compiled SQL."""
    params: list[Any] = [
        window.centre_id,
        connection.ops.adapt_datefield_value(day),  # as DateField prepares it for the database
        *WAITING_STATUSES,
        window.pk,
    ]
    if window.window_class == WindowClass.PROFESSIONAL:
        params += [window.department_id, WindowClass.PROFESSIONAL]
    elif window.window_class == WindowClass.QUANKE:
        params += [*COMPREHENSIVE_CLASSES, WindowClass.QUANKE]
    else:
        params.append(window.window_class)
    return params


def _pick(window: Window, day: dt.date) -> tuple[str, list[Any]]:
    """The SQL and parameters of the pick: the next waiting ticket, row-locked, skipping locked ones."""
    params = _pick_params(window, day)
    key = (connection.vendor, connection.settings_dict["NAME"], window.window_class)
    sql = _PICK_SQL.get(key)
    if sql is None or None in params:  # a None compiles to IS NULL: never the kept `= %s`
        sql, compiled = _pick_query(_candidates(window, day)).query.sql_with_params()
        if list(compiled) != params:
            return sql, list(compiled)  # not the expected layout (a professional window without department)
        _PICK_SQL[key] = sql
    return sql, params


def _call_next_in_one_statement(
    window: Window, current: Ticket | None, by: Any, now: dt.datetime
) -> tuple[Ticket, CallLog, str] | None:
    """PostgreSQL: one statement marks the ticket still called at the window 过号, takes the next waiting
    ticket (`FOR UPDATE SKIP LOCKED`: two windows calling at once never take the same one, nor wait for
    each other), marks it called and writes its call log (issue 15: three round trips fewer)."""
    pick_sql, pick_params = _pick(window, timezone.localdate(now))
    by_id = getattr(by, "pk", None)
    params = [
        *pick_params,
        str(TicketStatus.SKIPPED),
        now,
        current.pk if current is not None else None,
        str(TicketStatus.CALLED),
        window.pk,
        now,
        by_id,
        *(str(s) for s in WAITING_STATUSES),
        window.pk,
        str(CallKind.CALL),
        f"号到{window.number}号窗口办理",
        by_id,
        now,
    ]
    # A data-modifying WITH runs to completion even when nothing is called: the skip happens either way.
    # pick_sql is Django's compiled query (placeholders only); every value goes as a parameter.
    rows = list(Ticket.objects.raw(_CALL_NEXT_SQL.format(pick=pick_sql), params))
    if not rows:
        return None
    ticket = rows[0]
    ticket.called_window, ticket.served_by = window, by
    extra = ticket.__dict__  # the statement's extra columns, set on the row by raw()
    log = CallLog(
        pk=extra["call_log_id"],
        centre_id=ticket.centre_id,
        ticket=ticket,
        window=window,
        kind=CallKind.CALL,
        text=extra["call_text"],
        by=by if by_id else None,
        at=now,
    )
    log._state.adding, log._state.db = False, connection.alias
    return ticket, log, extra["old_status"]


def _call_next_in_steps(
    window: Window, candidates: Any, by: Any, now: dt.datetime
) -> tuple[Ticket, CallLog, str] | None:
    """Other databases (SQLite: the IMMEDIATE transaction serialises writers): the next ticket, then its
    update guarded by its status, then the call log."""
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    for _attempt in range(3):
        ticket = candidates.first()
        if ticket is None:
            return None
        # The status guard makes a second caller of the same row a no-op even without row locks.
        if Ticket.objects.filter(pk=ticket.pk, status__in=WAITING_STATUSES).update(
            status=TicketStatus.CALLED,
            called_window=window,
            called_at=now,
            served_by=by,
            target_window=None,
        ):
            break
    else:
        return None
    before = ticket.status
    ticket.status, ticket.called_window, ticket.called_at = TicketStatus.CALLED, window, now
    ticket.served_by, ticket.target_window = by, None
    return ticket, _log_call(ticket, window, CallKind.CALL, by, now), before


def _ticket_at_window(ticket_id: int, window: Window, statuses: tuple[str, ...], action: str) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .filter(pk=ticket_id, centre_id=window.centre_id)
        .first()
    )
    if ticket is None:
        raise NotFound()
    if ticket.called_window_id != window.pk or ticket.status not in statuses:
        where = f"，在{ticket.window_number}号窗口" if ticket.called_window_id else ""
        raise Conflict(
            f"{ticket.code}号当前为“{ticket.get_status_display()}”{where}，不能{action}。", code="wrong_state"
        )
    return ticket


def ticket_recall(*, window: Window, ticket_id: int, by: Any, now: dt.datetime | None = None) -> Ticket:
    """重呼: announce the called ticket again."""
    now = now or _now()
    with transaction.atomic():
        state = _locked_state(window)
        _require_open(state)
        ticket = _ticket_at_window(ticket_id, window, (TicketStatus.CALLED,), "重呼")
        ticket.recall_count += 1
        ticket.save(update_fields=["recall_count"])
        log = _log_call(ticket, window, CallKind.RECALL, by, now)
        audit_record(
            action="ticket.recall", obj=ticket, after={"recall_count": ticket.recall_count}, actor=by
        )
        _publish(window.centre_id, "call", _call_payload(log, ticket, window), counts=False)
    return ticket


def _skip(
    ticket: Ticket, *, window: Window, by: Any, now: dt.datetime, audit: bool = True, publish: bool = True
) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.SKIPPED, skipped_at=now)
    ticket.status, ticket.skipped_at = TicketStatus.SKIPPED, now
    if publish:
        _publish(window.centre_id, "update", {"ticket": ticket_payload(ticket)}, counts=False)
    if audit:
        _audit_skip(ticket, window, by)


def _audit_skip(ticket: Ticket, window: Window, by: Any) -> None:
    audit_record(
        action="ticket.skip",
        obj=ticket,
        before={"status": TicketStatus.CALLED},
        after={"status": TicketStatus.SKIPPED, "window": window.number},
        actor=by,
    )


def ticket_skip(*, window: Window, ticket_id: int, by: Any, now: dt.datetime | None = None) -> Ticket:
    """过号: the called visitor did not come. They may be reinstated once within the centre's minutes."""
    now = now or _now()
    with transaction.atomic():
        _locked_state(window)
        ticket = _ticket_at_window(ticket_id, window, (TicketStatus.CALLED,), "过号")
        _skip(ticket, window=window, by=by, now=now)
    return ticket


def ticket_reinstate(*, ticket: Ticket, by: Any, now: dt.datetime | None = None) -> Ticket:
    """恢复过号: back to the queue at its old place, once, within the centre's reinstate minutes."""
    now = now or _now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status != TicketStatus.SKIPPED:
            raise Conflict(
                f"{ticket.code}号当前为“{ticket.get_status_display()}”，只有过号的号可以恢复。",
                code="wrong_state",
            )
        if ticket.reinstated_at is not None:
            raise Conflict(f"{ticket.code}号已恢复过一次，不能再次恢复，请重新取号。", code="reinstated")
        limit = queue_settings(ticket.centre_id).reinstate_minutes
        if (
            ticket.skipped_at is None
            or now - ticket.skipped_at > dt.timedelta(minutes=limit)
            or ticket.date != timezone.localdate(now)
        ):
            raise Conflict(f"{ticket.code}号过号已超过{limit}分钟，不能恢复，请重新取号。", code="expired")
        before = _ticket_state(ticket)
        ticket.status, ticket.reinstated_at = TicketStatus.WAITING, now
        ticket.called_window = None
        ticket.served_by = None
        ticket.save(update_fields=["status", "reinstated_at", "called_window", "served_by"])
        audit_record(
            action="ticket.reinstate", obj=ticket, before=before, after=_ticket_state(ticket), actor=by
        )
        _publish(ticket.centre_id, "update", {"ticket": ticket_payload(ticket)})
    return ticket


@dataclass
class TransferResult:
    ticket: Ticket
    warning: str = ""


def ticket_transfer(
    *,
    window: Window,
    ticket_id: int,
    by: Any,
    to_group: str = "",
    to_window_id: int | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> TransferResult:
    """一票到底: send the ticket at this window to another class queue or to a named window, keeping its
    number and its place (it waits from its original time). A queue no open window serves is allowed,
    with a warning."""
    now = now or _now()
    if not to_group and to_window_id is None:
        raise field_error("to_group", "请选择转入的业务类别或窗口。")
    centre = window.centre
    to_window = None
    if to_window_id is not None:
        to_window = Window.objects.filter(pk=to_window_id, centre_id=window.centre_id, is_active=True).first()
        if to_window is None:
            raise field_error("to_window", "转入窗口不存在或未启用。")
        if to_window.pk == window.pk:
            raise field_error("to_window", "不能转给本窗口。")
        key = (
            QueueKey(WindowClass.PROFESSIONAL, to_window.department_id)
            if to_window.window_class == WindowClass.PROFESSIONAL
            else QueueKey(to_window.window_class)
        )
    else:
        key = parse_queue_key(to_group, field="to_group")
        if (
            key.window_class == WindowClass.PROFESSIONAL
            and not Department.objects.filter(Q(pk=key.department_id)).exists()
        ):
            raise field_error("to_group", "转入的部门不存在。")
    windows = centre_windows(centre)
    with transaction.atomic():
        _locked_state(window)
        ticket = _ticket_at_window(ticket_id, window, AT_WINDOW_STATUSES, "转移")
        if to_window is None and QueueKey(ticket.window_class, ticket.department_id) == key:
            raise field_error("to_group", "转入的业务类别与当前相同。")
        warning = ""
        if to_window is not None:
            state = WindowState.objects.filter(window=to_window).first()
            if state is None or state.status != WindowStatus.OPEN:
                warning = f"{to_window.number}号窗口当前未在服务，该号将等候其恢复服务。"
        else:
            serving = [w for w in windows if window_takes(w, key, desks=windows)]
            if not serving:
                warning = f"本中心没有“{queue_label(key)}”窗口，该号将一直等候，请留意。"
            elif not WindowState.objects.filter(window__in=serving, status=WindowStatus.OPEN).exists():
                warning = f"“{queue_label(key)}”目前没有开放的窗口，该号将等候窗口开放。"
        before = _ticket_state(ticket)
        TicketTransfer.objects.create(
            ticket=ticket,
            from_window=window,
            from_class=ticket.window_class,
            from_department_id=ticket.department_id,
            to_class=key.window_class,
            to_department_id=key.department_id,
            to_window=to_window,
            reason=reason.strip()[:200],
            warning=warning,
            by=by,
            at=now,
        )
        ticket.window_class, ticket.department_id = key.window_class, key.department_id
        ticket.target_window = to_window
        ticket.status = TicketStatus.TRANSFERRED
        ticket.called_window = None
        ticket.served_by = None
        ticket.transfer_count += 1
        ticket.save(
            update_fields=[
                "window_class",
                "department",
                "target_window",
                "status",
                "called_window",
                "served_by",
                "transfer_count",
            ]
        )
        audit_record(
            action="ticket.transfer",
            obj=ticket,
            before=before,
            after=_ticket_state(ticket),
            actor=by,
            note=warning,
        )
        _publish(window.centre_id, "update", {"ticket": ticket_payload(ticket), "from_window": window.number})
    return TransferResult(ticket=ticket, warning=warning)


def ticket_start(*, window: Window, ticket_id: int, by: Any, now: dt.datetime | None = None) -> Ticket:
    now = now or _now()
    with transaction.atomic():
        _locked_state(window)
        ticket = _ticket_at_window(ticket_id, window, (TicketStatus.CALLED,), "开始办理")
        ticket.status, ticket.started_at, ticket.served_by = TicketStatus.SERVING, now, by
        ticket.save(update_fields=["status", "started_at", "served_by"])
        audit_record(
            action="ticket.start",
            obj=ticket,
            before={"status": TicketStatus.CALLED},
            after={"status": ticket.status},
            actor=by,
        )
        _publish(window.centre_id, "update", {"ticket": ticket_payload(ticket)}, counts=False)
    return ticket


def ticket_finish(
    *,
    window: Window,
    ticket_id: int,
    by: Any,
    served: bool = True,
    note: str = "",
    now: dt.datetime | None = None,
) -> Ticket:
    """End service: 已办结, or 未办理 (served=False, with a note) when the matter could not be handled.
    A case accepted during the visit points at this ticket (cases keep the link); the rating follows."""
    now = now or _now()
    if not served and not note.strip():
        raise field_error("note", "未办理时请填写原因。")
    with transaction.atomic():
        _locked_state(window)
        ticket = _ticket_at_window(ticket_id, window, (TicketStatus.SERVING,), "结束办理")
        ticket.status = TicketStatus.DONE if served else TicketStatus.UNSERVED
        ticket.finished_at = now
        ticket.close_note = note.strip()[:200]
        ticket.save(update_fields=["status", "finished_at", "close_note"])
        audit_record(
            action="ticket.finish",
            obj=ticket,
            before={"status": TicketStatus.SERVING},
            after={"status": ticket.status, "note": ticket.close_note},
            actor=by,
        )
        _publish(window.centre_id, "update", {"ticket": ticket_payload(ticket)}, counts=False)
    return ticket


def ticket_cancel(*, ticket: Ticket, by: Any = None, now: dt.datetime | None = None) -> Ticket:
    """The visitor gives up a waiting ticket (from the phone page or at the guide desk)."""
    now = now or _now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.status not in (*WAITING_STATUSES, TicketStatus.SKIPPED):
            raise Conflict(
                f"{ticket.code}号当前为“{ticket.get_status_display()}”，不能取消。", code="wrong_state"
            )
        before = ticket.status
        ticket.status, ticket.finished_at, ticket.close_note = TicketStatus.CANCELLED, now, "办事人取消"
        ticket.save(update_fields=["status", "finished_at", "close_note"])
        audit_record(
            action="ticket.cancel",
            obj=ticket,
            before={"status": before},
            after={"status": ticket.status},
            actor=by if getattr(by, "pk", None) else None,
        )
        _publish(ticket.centre_id, "update", {"ticket": ticket_payload(ticket)})
    return ticket


# --- end of day ------------------------------------------------------------------------------------


@dataclass
class CloseResult:
    tickets: int = 0
    windows: int = 0
    centres: list[int] = field(default_factory=list)


CLOSE_NOTE_WAITING = "闭厅时仍在等候，未办理"
CLOSE_NOTE_AT_WINDOW = "闭厅时未结束办理"


def queue_close_day(
    *, centre: Centre | None = None, now: dt.datetime | None = None, force: bool = False
) -> CloseResult:
    """Close every ticket left open when its hall has closed as 未办理, with the time and a note; never drop
    one silently. Today's tickets are closed once the centre's closing time has passed (or with `force`);
    earlier days' always. Windows are closed too."""
    now = now or _now()
    local = timezone.localtime(now)
    result = CloseResult()
    open_statuses = (*WAITING_STATUSES, *AT_WINDOW_STATUSES, TicketStatus.SKIPPED)
    centre_ids = (
        Ticket.objects.filter(status__in=open_statuses, date__lte=local.date())
        .values_list("centre_id", flat=True)
        .distinct()
    )
    if centre is not None:
        centre_ids = centre_ids.filter(centre_id=centre.pk)
    for centre_id in list(centre_ids):
        qs = queue_settings(centre_id)
        today_closed = force or local.time() >= qs.closing_time
        day_q = Q(date__lte=local.date()) if today_closed else Q(date__lt=local.date())
        with transaction.atomic():
            tickets = list(
                Ticket.objects.select_for_update(of=("self",)).filter(
                    day_q, centre_id=centre_id, status__in=open_statuses
                )
            )
            for ticket in tickets:
                before = ticket.status
                note = CLOSE_NOTE_AT_WINDOW if before in AT_WINDOW_STATUSES else CLOSE_NOTE_WAITING
                Ticket.objects.filter(pk=ticket.pk).update(
                    status=TicketStatus.UNSERVED, finished_at=now, close_note=note
                )
                audit_record(
                    action="ticket.close_unserved",
                    obj=ticket,
                    before={"status": before},
                    after={"status": TicketStatus.UNSERVED, "note": note},
                    actor=None,
                )
            if tickets:
                result.tickets += len(tickets)
                result.centres.append(centre_id)
                _publish(centre_id, "reset", {})
        if today_closed:
            for window in Window.objects.filter(
                centre_id=centre_id, queue_state__status__in=[WindowStatus.OPEN, WindowStatus.PAUSED]
            ):
                window_close(window=window, by=None, now=now, force=True)
                result.windows += 1
    return result


# --- appointments -------------------------------------------------------------------------------------


def slot_create(
    *, centre: Centre, group: str, date: dt.date, start: dt.time, end: dt.time, capacity: int, by: Any
) -> AppointmentSlot:
    key = parse_queue_key(group)
    if key.key not in dict(business_groups(centre)):
        raise field_error("group", "本中心没有该类窗口，不能设置预约时段。")
    if not start < end:
        raise field_error("end", "结束时间应晚于开始时间。")
    if capacity < 1:
        raise field_error("capacity", "可预约人数至少为1。")
    if date < _today():
        raise field_error("date", "不能为过去的日期设置预约时段。")
    with transaction.atomic():
        if AppointmentSlot.objects.filter(
            Q(window_class=key.window_class, department_id=key.department_id),
            centre=centre,
            date=date,
            start=start,
        ).exists():
            raise Conflict(f"{date} {start:%H:%M} 的“{queue_label(key)}”预约时段已存在。", code="duplicate")
        slot = AppointmentSlot.objects.create(
            centre=centre,
            window_class=key.window_class,
            department_id=key.department_id,
            date=date,
            start=start,
            end=end,
            capacity=capacity,
        )
        audit_record(
            action="appointment_slot.create",
            obj=slot,
            actor=by,
            after={"date": date, "start": start, "end": end, "capacity": capacity, "queue": key.key},
        )
    return slot


def slots_generate(
    *,
    centre: Centre,
    group: str,
    date_from: dt.date,
    date_to: dt.date,
    periods: list[tuple[dt.time, dt.time]],
    capacity: int,
    by: Any,
) -> list[AppointmentSlot]:
    """Slots for every working day in the range (statutory holidays and make-up days respected); existing
    slots are kept."""
    import chinese_calendar

    if date_to < date_from or (date_to - date_from).days > 92:
        raise field_error("date_to", "日期范围应在三个月以内，且结束日期不早于开始日期。")
    created = []
    day = date_from
    while day <= date_to:
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise field_error("date_to", f"系统尚无{day.year}年的节假日安排，无法判断工作日。") from None
        if workday:
            for start, end in periods:
                try:
                    created.append(
                        slot_create(
                            centre=centre,
                            group=group,
                            date=day,
                            start=start,
                            end=end,
                            capacity=capacity,
                            by=by,
                        )
                    )
                except Conflict:
                    pass
        day += dt.timedelta(days=1)
    return created


def _slot_start(slot: AppointmentSlot) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(slot.date, slot.start))


def appointment_book(
    *,
    slot_id: int,
    matter_id: int,
    name: str,
    phone: str,
    id_number: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a place in a slot for a matter. Capacity is counted under the slot's row lock."""
    now = now or _now()
    name = (name or "").strip()
    if not name:
        raise field_error("name", "请填写预约人姓名。")
    phone = _clean_phone(phone)
    if not phone:
        raise field_error("phone", "请填写手机号码，用于接收预约提醒。")
    id_number = _clean_id(id_number)
    with transaction.atomic():
        slot = (
            AppointmentSlot.objects.select_for_update(of=("self",))
            .select_related("centre")
            .filter(pk=slot_id)
            .first()
        )
        if slot is None or not slot.centre.is_active:
            raise field_error("slot", "预约时段不存在。")
        if _slot_start(slot) <= now:
            raise field_error("slot", "该时段已开始或已过去，请选择其他时段。")
        matter, key = _matter_queue(slot.centre, matter_id)
        version = matter.current_version
        if version is None or not version.supports_appointment:
            raise field_error("matter", f"“{matter.name}”不支持预约办理，请直接到中心取号。")
        if resolve_queue(slot.centre, key) != QueueKey(slot.window_class, slot.department_id):
            raise field_error("slot", "该时段不办理此事项，请选择对应窗口的时段。")
        digest = lookup_digest(phone)
        if Appointment.objects.filter(
            slot__date=slot.date,
            slot__centre=slot.centre,
            phone_digest=digest,
            matter=matter,
            status=BookingStatus.BOOKED,
        ).exists():
            raise Conflict("该手机号码当天已预约了此事项，请勿重复预约。", code="duplicate")
        if slot.booked >= slot.capacity:
            raise Conflict(f"{slot.date} {slot.start:%H:%M} 时段已约满，请选择其他时段。", code="full")
        slot.booked += 1
        slot.save(update_fields=["booked"])
        for _ in range(5):
            try:
                with transaction.atomic():
                    booking = Appointment.objects.create(
                        slot=slot,
                        matter=matter,
                        name=name[:60],
                        phone=phone,
                        phone_digest=digest,
                        id_number=id_number,
                        id_digest=lookup_digest(id_number) if id_number else "",
                    )
                break
            except IntegrityError:  # booking code collision: draw again
                continue
        else:
            raise Conflict("预约码生成失败，请重试。")
        audit_record(
            action="appointment.book", obj=booking, actor=None, after={"slot": slot.pk, "matter": matter.code}
        )
        _sms(
            phone,
            f"【{slot.centre.name}】您已预约{slot.date:%m月%d日} {slot.start:%H:%M}-{slot.end:%H:%M}"
            f"办理“{matter.name}”，预约码{booking.code}。请按时到中心签到取号。",
            booking,
            "queue.appointment_booked",
        )
    return booking


def appointment_cancel(*, code: str, phone: str, now: dt.datetime | None = None) -> Appointment:
    """The booker cancels (code + phone); the place is freed."""
    now = now or _now()
    phone = _clean_phone(phone)
    with transaction.atomic():
        booking = (
            Appointment.objects.select_for_update(of=("self",)).filter(code=(code or "").strip()).first()
        )
        if booking is None or not phone or booking.phone_digest != lookup_digest(phone):
            raise NotFound("预约码或手机号码不正确。")
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(f"该预约当前为“{booking.get_status_display()}”，不能取消。", code="wrong_state")
        _release(booking, BookingStatus.CANCELLED, now)
        audit_record(action="appointment.cancel", obj=booking, actor=None, after={"status": booking.status})
    return booking


def _release(booking: Appointment, status: str, now: dt.datetime) -> None:
    AppointmentSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    booking.status, booking.closed_at = status, now
    booking.save(update_fields=["status", "closed_at"])


def appointment_check_in(
    *,
    centre: Centre,
    code: str,
    by: Any = None,
    source: str = TicketSource.APPOINTMENT,
    now: dt.datetime | None = None,
) -> IssueResult:
    """签到: the booking code gives a ticket, with priority when on time (per the centre's rules)."""
    now = now or _now()
    qs = queue_settings(centre)
    with transaction.atomic():
        booking = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot", "matter")
            .filter(code=(code or "").strip(), slot__centre=centre)
            .first()
        )
        if booking is None:
            raise field_error("code", "预约码不正确，或不是本中心的预约。")
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(f"该预约当前为“{booking.get_status_display()}”，不能签到。", code="wrong_state")
        start = _slot_start(booking.slot)
        if booking.slot.date != timezone.localdate(now):
            raise Conflict(
                f"该预约的日期是{booking.slot.date:%Y年%m月%d日}，请在当天签到。", code="wrong_day"
            )
        earliest = start - dt.timedelta(minutes=qs.checkin_early_minutes)
        if now < earliest:
            raise Conflict(
                f"预约时段为{booking.slot.start:%H:%M}起，请于{timezone.localtime(earliest):%H:%M}后签到。",
                code="too_early",
            )
        on_time = now <= start + dt.timedelta(minutes=qs.checkin_late_minutes)
        result = ticket_issue(
            centre=centre,
            matter_id=booking.matter_id,
            phone=booking.phone,
            id_number=booking.id_number,
            priority_reason=PriorityReason.APPOINTMENT if on_time and qs.appointment_priority else "",
            source=source,
            by=by,
            now=now,
            appointment=booking,
        )
        booking.status, booking.checked_in_at, booking.ticket = BookingStatus.CHECKED_IN, now, result.ticket
        booking.save(update_fields=["status", "checked_in_at", "ticket"])
        audit_record(
            action="appointment.check_in",
            obj=booking,
            actor=by if getattr(by, "pk", None) else None,
            after={"ticket": result.ticket.code, "on_time": on_time},
        )
        if not on_time:
            result.warnings.append("已超过预约时段的签到宽限时间，按普通号排队。")
    return result


def appointment_check_in_at_kiosk(
    *, centre: Centre, value: str, now: dt.datetime | None = None
) -> IssueResult:
    """签到 at the hall's kiosk with the booking code or the 居民身份证号码 given when booking: an ID number
    finds today's booking at this centre (the earliest slot still booked)."""
    now = now or _now()
    value = (value or "").strip()
    if len(value) != 18:
        return appointment_check_in(centre=centre, code=value, source=TicketSource.APPOINTMENT, now=now)
    try:
        id_number = normalize_id_card(value)
    except ValidationError as exc:
        raise field_error("code", exc.messages[0]) from None
    booking = (
        Appointment.objects.filter(
            id_digest=lookup_digest(id_number),
            slot__centre=centre,
            slot__date=timezone.localdate(now),
            status=BookingStatus.BOOKED,
        )
        .order_by("slot__start")
        .first()
    )
    if booking is None:
        raise field_error("code", "没有查到您今天在本中心的预约，请核对身份证号码，或输入预约码。")
    return appointment_check_in(centre=centre, code=booking.code, source=TicketSource.APPOINTMENT, now=now)


def appointments_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """A booking not checked in by the end of its grace period is 爽约 and its place is freed."""
    now = now or _now()
    count = 0
    local = timezone.localtime(now)
    candidates = Appointment.objects.filter(
        status=BookingStatus.BOOKED, slot__date__lte=local.date()
    ).select_related("slot")
    for booking in candidates:
        grace = queue_settings(booking.slot.centre_id).checkin_late_minutes
        if _slot_start(booking.slot) + dt.timedelta(minutes=grace) >= now:
            continue
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=booking.pk)
            if locked.status != BookingStatus.BOOKED:
                continue
            _release(locked, BookingStatus.NO_SHOW, now)
            audit_record(
                action="appointment.no_show", obj=locked, actor=None, after={"status": locked.status}
            )
            count += 1
    return count


def appointments_send_reminders(*, now: dt.datetime | None = None) -> int:
    """SMS reminders through the notification outbox, once per booking, `reminder_hours` before the slot."""
    now = now or _now()
    count = 0
    horizon = timezone.localtime(now) + dt.timedelta(hours=48)
    candidates = Appointment.objects.filter(
        status=BookingStatus.BOOKED, reminded_at__isnull=True, slot__date__lte=horizon.date()
    ).select_related("slot__centre", "matter")
    for booking in candidates:
        start = _slot_start(booking.slot)
        hours = queue_settings(booking.slot.centre_id).reminder_hours
        if not (now < start <= now + dt.timedelta(hours=hours)):
            continue
        with transaction.atomic():
            updated = Appointment.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not updated:
                continue
            slot = booking.slot
            _sms(
                booking.phone,
                f"【{slot.centre.name}】提醒：您预约了{slot.date:%m月%d日} {slot.start:%H:%M}"
                f"办理“{booking.matter.name}”，请携带材料按时到中心签到（预约码{booking.code}）。",
                booking,
                "queue.appointment_reminder",
            )
            count += 1
    return count


def _sms(phone: str, text: str, related: Any, template: str = "") -> None:
    """Queue an SMS in the notification outbox, in the transaction of the change it announces (sent by
    the exchange app's worker only if that commits)."""
    notify_sms(phone=phone, text=text, related=related, template=template)
