"""Reads for pages, the API and dashboards. Lists select their related rows once and filter on indexed
columns of `Case` (see the model's indexes), so they stay fast with 100,000 open cases."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from govhall.cases import clock
from govhall.cases.access import cases_visible_to
from govhall.cases.applicants import id_digest, normalize_id
from govhall.cases.models import (
    CLOCK_RUNNING,
    OPEN_STATUSES,
    PENDING_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    ResultKind,
    SuspensionKind,
)
from govhall.core.errors import NotFound, ServiceError

LIST_RELATED = ("handling_centre", "centre", "current_assignee", "current_step", "department", "agency_agent")
LIST_ONLY = (
    "id", "number", "matter_name", "applicant_name", "applicant_kind", "status", "result", "due_at", "warn_at",
    "limit_unit", "received_at", "accepted_at", "finished_at", "rongque_pending", "forwarded", "clock_stopped_at",
    "handling_centre__name", "centre__name", "current_assignee__full_name", "current_assignee__username",
    "current_assignee__staff_no", "current_step__name", "department__short_name", "department__name",
    "agency_agent__full_name", "agency_agent__username", "agency_agent__staff_no",
)


def _list(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related(*LIST_RELATED).only(*LIST_ONLY)


def my_tasks(user: Any) -> QuerySet[Case]:
    """待办: open cases whose current step is with this user (AB routing already applied)."""
    return _list(Case.objects.filter(current_assignee=user, status__in=OPEN_STATUSES)).order_by("due_at", "id")


def awaiting_decision(user: Any) -> QuerySet[Case]:
    """待受理: received (or 补正 pending) cases of the centres this user decides for."""
    centre_id = getattr(user, "centre_id", None)
    qs = Case.objects.filter(status__in=PENDING_STATUSES)
    if not user.is_superuser:
        qs = qs.filter(Q(handling_centre_id=centre_id) | Q(centre_id=centre_id))
    return _list(qs).order_by("received_at", "id")


def agency_cases(user: Any) -> QuerySet[Case]:
    """代办员's list: every case they act on that is not closed."""
    return _list(Case.objects.filter(agency_agent=user).exclude(status__in=(CaseStatus.NOT_ACCEPTED,
                                                                             CaseStatus.DELIVERED,
                                                                             CaseStatus.REVOKED))
                 ).order_by("received_at", "id")


def case_list(user: Any, *, status: str | None = None, q: str = "") -> QuerySet[Case]:
    qs = cases_visible_to(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(applicant_name__startswith=q) | Q(matter_name__contains=q))
    return _list(qs).order_by("-received_at", "-id")


def waits_for(case: Case) -> str:
    """What the case waits for, in the words of the agent's list (STD-5)."""
    if case.status == CaseStatus.RECEIVED:
        return "待前台受理"
    if case.status == CaseStatus.CORRECTION:
        return "待申请人按一次性告知书补正"
    if case.status == CaseStatus.RETURNED:
        return "退回前台复核"
    if case.status == CaseStatus.SUSPENDED:
        return "挂起：待补正或特别程序结束"
    if case.status == CaseStatus.PROCESSING:
        who = case.current_assignee.display_name if case.current_assignee_id and case.current_assignee else ""
        step = case.current_step.name if case.current_step_id and case.current_step else ""
        return f"「{step}」环节办理中（{who}）" + ("；容缺材料待补" if case.rongque_pending else "")
    if case.status == CaseStatus.FINISHED:
        if case.rongque_pending:
            return "已办结，待补齐容缺材料后领取"
        if case.result in (ResultKind.VOIDED, ResultKind.REFERRED):
            return "已办结"
        return "已办结，待领取或邮寄"
    return case.get_status_display()


def remaining(case: Case, now: dt.datetime | None = None) -> int | None:
    if case.status not in CLOCK_RUNNING:
        return None
    return clock.remaining_units(now or timezone.now(), case.due_at, case.limit_unit)


def light(case: Case, now: dt.datetime | None = None) -> str:
    """"red", "yellow", "green", "paused" or "" for the list badge; live, not waiting for the scan."""
    now = now or timezone.now()
    if case.status == CaseStatus.SUSPENDED:
        return "paused"
    if case.status not in CLOCK_RUNNING:
        return ""
    if case.due_at and now > case.due_at:
        return "red"
    if case.warn_at and now > case.warn_at:
        return "yellow"
    return "green"


# --- supervision (电子监察) ------------------------------------------------------------------------------


@dataclass
class Supervision:
    by_centre: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    by_handler: list[dict[str, Any]]
    cases: list[Case]
    open_total: int


def supervision(user: Any, *, now: dt.datetime | None = None, centre_id: int | None = None,
                department_id: int | None = None, handler_id: int | None = None, level: str = "",
                limit: int = 100) -> Supervision:
    """Warnings (黄牌) and overdue cases (红牌) among running cases, per centre, department and handler,
    computed from due_at/warn_at against now (index range scans), plus the worst cases first."""
    now = now or timezone.now()
    base = cases_visible_to(user).filter(status__in=CLOCK_RUNNING)
    if centre_id:
        base = base.filter(handling_centre_id=centre_id)
    if department_id:
        base = base.filter(department_id=department_id)
    if handler_id:
        base = base.filter(current_assignee_id=handler_id)
    warned = base.filter(warn_at__lt=now)
    if level == "red":
        warned = base.filter(due_at__lt=now)
    elif level == "yellow":
        warned = warned.filter(due_at__gte=now)
    counts = {"red": Count("id", filter=Q(due_at__lt=now)), "yellow": Count("id", filter=Q(due_at__gte=now))}
    by_centre = list(warned.values("handling_centre_id", "handling_centre__name").annotate(**counts)
                     .order_by("-red", "-yellow", "handling_centre__name"))
    by_department = list(warned.values("department_id", "department__name").annotate(**counts)
                         .order_by("-red", "-yellow", "department__name"))
    by_handler = list(warned.values("current_assignee_id", "current_assignee__full_name",
                                    "current_assignee__staff_no").annotate(**counts)
                      .order_by("-red", "-yellow", "current_assignee__full_name"))
    cases = list(_list(warned).order_by("due_at", "id")[:limit])
    return Supervision(by_centre=by_centre, by_department=by_department, by_handler=by_handler, cases=cases,
                       open_total=base.count())


# --- the timeline and public tracking ------------------------------------------------------------


def timeline(case: Case, *, public_only: bool = False) -> QuerySet[CaseEvent]:
    qs = case.events.all()
    if public_only:
        qs = qs.filter(public=True)
    return qs.order_by("at", "id")


TRACK_LIMIT = 10  # wrong passwords per case number (or ID look-ups per address) per 15 minutes
TRACK_WINDOW = 15 * 60


def _throttle(key: str) -> None:
    count = cache.get(key, 0)
    if count >= TRACK_LIMIT:
        raise ServiceError("查询过于频繁，请15分钟后再试。", code="throttled", status=429)


def _fail(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, TRACK_WINDOW)


def track_by_number(number: str, password: str) -> Case:
    """The applicant's view by 办件编号 + 查询密码. Wrong number and wrong password look the same."""
    number = (number or "").strip()
    key = f"cases:track:{number}"
    _throttle(key)
    case = Case.objects.select_related("handling_centre", "centre").filter(number=number).first()
    given = (password or "").strip().upper()
    if case is None or not hmac.compare_digest(case.query_password.upper().encode(), given.encode()):
        _fail(key)
        raise NotFound("办件编号或查询密码不正确。")
    return case


def track_by_id(id_type: str, id_number: str, *, client: str = "") -> list[Case]:
    """The applicant's cases by 证件类型 + 号码 (shown masked). Throttled per client address."""
    key = f"cases:track-id:{client}"
    _throttle(key)
    _fail(key)  # every look-up counts: this one needs no password
    number = normalize_id(id_type, id_number, field="id_number")
    digest = id_digest(id_type, number)
    return list(Case.objects.filter(Q(applicant_id_digest=digest) | Q(agent_id_digest=digest))
                .select_related("handling_centre").order_by("-received_at")[:50])


def open_suspension_kind(case: Case) -> str:
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    return SuspensionKind(stop.kind).label if stop else ""
