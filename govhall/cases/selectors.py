"""Reads for pages, the API and dashboards. Lists select their related rows once and filter on indexed
columns of `Case` (see the model's indexes), so they stay fast with 100,000 open cases."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.cases import clock, tracking_limits
from govhall.cases.applicants import id_digest, normalize_id
from govhall.cases.models import (
    CLOCK_RUNNING,
    OPEN_STATUSES,
    PENDING_STATUSES,
    PUBLIC_EVENT_ACTIONS,
    Case,
    CaseEvent,
    CaseFile,
    CaseNotice,
    CaseStatus,
    CaseStep,
    CommitmentCheck,
    ResultKind,
    SuspensionKind,
    public_detail,
)
from govhall.cases.policy import case_filter, cases_visible_to
from govhall.cases.rules import RED, YELLOW, Facts, deadline_light, light_lookups
from govhall.cases.tracking_limits import TrackClient
from govhall.catalog.models import MatterVersion
from govhall.catalog.selectors import matters_for_centre
from govhall.core.calendar import provisional_note
from govhall.core.compiled import CompiledRead
from govhall.core.errors import NotFound
from govhall.core.pii import pii_reveal_fields
from govhall.orgs.models import Centre, Department, Window
from govhall.orgs.windows import window_takes
from govhall.queueing.models import AT_WINDOW_STATUSES, Ticket

# Lists read plain values, not model instances: a row of the inbox needs a dozen columns, and building
# Case objects (with their encrypted fields and related objects) costs far more than the query.
ROW_FIELDS = (
    "id",
    "number",
    "matter_name",
    "applicant_name",
    "status",
    "result",
    "due_at",
    "due_waits_for",
    "warn_at",
    "limit_unit",
    "rongque_pending",
    "forwarded",
    "current_assignee_id",
    "current_assignee__full_name",
    "current_assignee__username",
    "current_step__name",
    "centre__name",
    "handling_centre__name",
    "department__name",
)
STATUS_LABELS = dict(CaseStatus.choices)
RESULT_LABELS = dict(ResultKind.choices)


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list (the inbox, the agent's list, supervision, search)."""

    pk: int
    number: str
    matter_name: str
    applicant_name: str
    status: str
    result: str
    due_at: dt.datetime | None
    warn_at: dt.datetime | None
    limit_unit: str
    rongque_pending: bool
    forwarded: bool
    assignee_name: str
    step_name: str
    centre_name: str
    handling_centre_name: str
    department_name: str
    due_waits_for: int | None = None

    @property
    def due_provisional_note(self) -> str:
        return provisional_note(self.due_waits_for)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, "")

    @classmethod
    def from_values(cls, v: dict[str, Any]) -> CaseRow:
        return cls(
            pk=v["id"],
            number=v["number"],
            matter_name=v["matter_name"],
            applicant_name=v["applicant_name"],
            status=v["status"],
            result=v["result"],
            due_at=v["due_at"],
            warn_at=v["warn_at"],
            limit_unit=v["limit_unit"],
            rongque_pending=v["rongque_pending"],
            forwarded=v["forwarded"],
            assignee_name=(v["current_assignee__full_name"] or v["current_assignee__username"] or "")
            if v["current_assignee_id"]
            else "",
            step_name=v["current_step__name"] or "",
            centre_name=v["centre__name"],
            handling_centre_name=v["handling_centre__name"],
            department_name=v["department__name"],
            due_waits_for=v["due_waits_for"],
        )

    @classmethod
    def from_case(cls, case: Case) -> CaseRow:
        assignee = case.current_assignee if case.current_assignee_id else None
        return cls(
            pk=case.pk,
            number=case.number,
            matter_name=case.matter_name,
            applicant_name=case.applicant_name,
            status=case.status,
            result=case.result,
            due_at=case.due_at,
            warn_at=case.warn_at,
            limit_unit=case.limit_unit,
            rongque_pending=case.rongque_pending,
            forwarded=case.forwarded,
            assignee_name=assignee.display_name if assignee else "",
            step_name=case.current_step.name if case.current_step is not None else "",
            centre_name=case.centre.name,
            handling_centre_name=case.handling_centre.name,
            department_name=case.department.name,
            due_waits_for=case.due_waits_for,
        )


class Rows:
    """A sliceable, countable list of CaseRow over a queryset, for Paginator and the API."""

    def __init__(self, qs: QuerySet[Case]) -> None:
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[CaseRow]:
        return [CaseRow.from_values(v) for v in self.qs.values(*ROW_FIELDS)[key]]


def my_tasks(user: Any) -> Rows:
    """待办: open cases whose current step is with this user (AB routing already applied)."""
    return Rows(Case.objects.filter(current_assignee=user, status__in=OPEN_STATUSES).order_by("due_at", "id"))


def awaiting_decision(user: Any) -> Rows:
    """待受理: received (or 补正 pending) cases of the centres this user decides for."""
    centre_id = getattr(user, "centre_id", None)
    qs = Case.objects.filter(status__in=PENDING_STATUSES)
    if not user.is_superuser:
        qs = qs.filter(Q(handling_centre_id=centre_id) | Q(centre_id=centre_id))
    return Rows(qs.order_by("received_at", "id"))


def agency_cases(user: Any) -> Rows:
    """代办员's list: every case they act on that is not closed."""
    return Rows(
        Case.objects.filter(agency_agent=user)
        .exclude(status__in=(CaseStatus.NOT_ACCEPTED, CaseStatus.DELIVERED, CaseStatus.REVOKED))
        .order_by("received_at", "id")
    )


def case_list(user: Any, *, status: str | None = None, q: str = "") -> Rows:
    qs = cases_visible_to(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "provisional":  # open cases whose due date waits for a year's holidays (STD-3)
        qs = qs.filter(status__in=OPEN_STATUSES, due_waits_for__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(applicant_name__startswith=q) | Q(matter_name__contains=q))
    return Rows(qs.order_by("-received_at", "-id"))


def waits_for(case: CaseRow) -> str:
    """What the case waits for, in the words of the agent's list (STD-5)."""
    if case.status == CaseStatus.RECEIVED:
        return "待前台受理"
    if case.status == CaseStatus.CORRECTION:
        return "待申请人按一次性告知单补正"
    if case.status == CaseStatus.RETURNED:
        return "退回前台复核"
    if case.status == CaseStatus.SUSPENDED:
        return "挂起：待补正或特别程序结束"
    if case.status == CaseStatus.PROCESSING:
        return f"「{case.step_name}」环节办理中（{case.assignee_name}）" + (
            "；容缺材料待补" if case.rongque_pending else ""
        )
    if case.status == CaseStatus.FINISHED:
        if case.rongque_pending:
            return "已办结，待补齐容缺材料后领取"
        if case.result in (ResultKind.VOIDED, ResultKind.REFERRED):
            return "已办结"
        return "已办结，待领取或邮寄"
    return case.status_label


def remaining(case: CaseRow | Case, now: dt.datetime | None = None) -> int | None:
    if case.status not in CLOCK_RUNNING:
        return None
    return clock.remaining_units(now or timezone.now(), case.due_at, case.limit_unit)


# --- supervision (电子监察) ------------------------------------------------------------------------------


@dataclass
class Supervision:
    by_centre: list[dict[str, Any]]
    by_department: list[dict[str, Any]]
    by_handler: list[dict[str, Any]]
    cases: list[CaseRow]
    open_total: int


def _rollup(
    groups: list[dict[str, Any]], key: str, name: str, extra: str | None = None
) -> list[dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for g in groups:
        row = out.setdefault(
            g[key],
            {"id": g[key], "name": g[name] or "", "yellow": 0, "red": 0, "extra": g[extra] if extra else ""},
        )
        row["yellow"] += g["yellow"]
        row["red"] += g["red"]
    return sorted(out.values(), key=lambda r: (-r["red"], -r["yellow"], r["name"]))


def supervision(
    user: Any,
    *,
    now: dt.datetime | None = None,
    centre_id: int | None = None,
    department_id: int | None = None,
    handler_id: int | None = None,
    level: str = "",
    limit: int = 50,
) -> Supervision:
    """Warnings (黄牌) and overdue cases (红牌) among running cases, per centre, department and handler —
    live from due_at/warn_at against now. One grouped query over the partial warning index (covering on
    PostgreSQL) is rolled up three ways; the worst cases come from the partial deadline index."""
    now = now or timezone.now()
    scope = case_filter(user, include_agency=False)
    running = Case.objects.filter(status__in=CLOCK_RUNNING)
    if scope is not None:
        running = running.filter(scope)
    if centre_id:
        running = running.filter(handling_centre_id=centre_id)
    if department_id:
        running = running.filter(department_id=department_id)
    if handler_id:
        running = running.filter(current_assignee_id=handler_id)
    lookups = light_lookups(now)
    warned = running.filter(warn_at__lt=now)  # yellow or red: a case turns red after its warning moment
    if level == RED:
        warned = running.filter(**lookups[RED])
    elif level == YELLOW:
        warned = running.filter(**lookups[YELLOW])
    # Grouped by ids only, so PostgreSQL answers from the covering index alone; names come after, from the
    # few centres, departments and staff that appear.
    groups: list[dict[str, Any]] = [
        dict(g)
        for g in warned.order_by()
        .values("handling_centre_id", "department_id", "current_assignee_id")
        # Count("due_at") (never null while the clock runs), not Count("id"): id is not in the index.
        .annotate(
            red=Count("due_at", filter=Q(**lookups[RED])), yellow=Count("due_at", filter=Q(**lookups[YELLOW]))
        )
    ]
    names = _names(groups)
    for g in groups:
        g["centre_name"] = names["centre"].get(g["handling_centre_id"], "")
        g["department_name"] = names["department"].get(g["department_id"], "")
        g["handler_name"], g["staff_no"] = names["user"].get(g["current_assignee_id"], ("（未分派）", ""))
    cases = [CaseRow.from_values(v) for v in warned.order_by("due_at").values(*ROW_FIELDS)[:limit]]
    open_total = Case.objects.filter(status__in=OPEN_STATUSES)
    if scope is not None:
        open_total = open_total.filter(scope)
    return Supervision(
        by_centre=_rollup(groups, "handling_centre_id", "centre_name"),
        by_department=_rollup(groups, "department_id", "department_name"),
        by_handler=_rollup(groups, "current_assignee_id", "handler_name", "staff_no"),
        cases=cases,
        open_total=open_total.count(),
    )


def _names(groups: list[dict[str, Any]]) -> dict[str, dict[Any, Any]]:
    centre_ids = {g["handling_centre_id"] for g in groups}
    dept_ids = {g["department_id"] for g in groups}
    user_ids = {g["current_assignee_id"] for g in groups if g["current_assignee_id"]}
    users = User.objects.filter(pk__in=user_ids).values_list("pk", "full_name", "username", "staff_no")
    return {
        "centre": dict(Centre.objects.filter(pk__in=centre_ids).values_list("pk", "name"))
        if centre_ids
        else {},
        "department": dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name"))
        if dept_ids
        else {},
        "user": {pk: (full or username, no or "") for pk, full, username, no in users} if user_ids else {},
    }


# --- the timeline and public tracking ------------------------------------------------------------


def case_steps(case: Case) -> list[CaseStep]:
    """A case's workflow steps in order, with their post and assignee."""
    return list(case.steps.select_related("post", "assignee").order_by("seq"))


# Read after every case action, for its answer (issue 15).
_NOTICES = CompiledRead(
    lambda case_id: CaseNotice.objects.filter(case_id=case_id).order_by("issued_at", "id")
)


def case_notices(case: Case) -> list[CaseNotice]:
    """A case's notices (受理通知书, 补正告知书 …) in the order they were issued."""
    return _NOTICES.all(case.pk)


def case_files(case: Case) -> list[CaseFile]:
    """A case's uploaded files in the order they came."""
    return list(case.files.order_by("id"))


def timeline(case: Case) -> QuerySet[CaseEvent]:
    """The whole timeline, for staff who may see the case."""
    return case.events.all().order_by("at", "id")


@dataclass(frozen=True)
class PublicEvent:
    at: dt.datetime
    label: str
    centre_name: str
    detail: str


def public_timeline(case: Case) -> list[PublicEvent]:
    """The applicant's timeline: the allow-listed actions only (`models.PUBLIC_EVENTS`), whatever the rows'
    `public` flag says (rows written before the allow-list were public by default), and for each only the
    step, the time, the centre and the text meant for the applicant — never who handled it or why."""
    rows = case.events.filter(action__in=PUBLIC_EVENT_ACTIONS).order_by("at", "id")
    return [
        PublicEvent(
            at=e.at, label=e.label, centre_name=e.centre_name, detail=public_detail(e.action, e.detail)
        )
        for e in rows
    ]


# --- whole personal data (through core.pii) -------------------------------------------------------

CASE_PII_FIELDS = ("applicant_id_number", "applicant_phone", "agent_id_number", "agent_phone")


def case_reveal_pii(
    user: Any, case: Case, *, reason: str = "查看申请人/代理人完整证件号码和电话"
) -> dict[str, str]:
    """The applicant's and agent's whole ID numbers and phones: role check and "pii.view" audit in
    `core.pii`; Forbidden (403, a Chinese message) for roles that see only the masked form."""
    return pii_reveal_fields(user=user, obj=case, fields=CASE_PII_FIELDS, reason=reason)


def track_by_number(number: str, password: str, *, client: TrackClient | None = None) -> Case:
    """The applicant's view by 办件编号 + 查询密码. Wrong number and wrong password look the same. Only
    failures count towards the limits (cases/tracking_limits.py)."""
    client = client or TrackClient()
    number = (number or "").strip()
    tracking_limits.number_check(client, number)
    case = Case.objects.select_related("handling_centre", "centre").filter(number=number).first()
    given = (password or "").strip().upper()
    if case is None or not hmac.compare_digest(case.query_password.upper().encode(), given.encode()):
        tracking_limits.number_failed(client, number)
        raise NotFound("办件编号或查询密码不正确。")
    return case


def track_by_id(id_type: str, id_number: str, *, client: TrackClient | None = None) -> list[Case]:
    """The applicant's cases by 证件类型 + 号码 (shown masked). Limited per address by the number of
    distinct ID numbers tried (cases/tracking_limits.py); a malformed number is a 400 and not counted."""
    number = normalize_id(id_type, id_number, field="id_number")
    digest = id_digest(id_type, number)
    tracking_limits.id_check(client or TrackClient(), digest)
    return list(
        Case.objects.filter(Q(applicant_id_digest=digest) | Q(agent_id_digest=digest))
        .select_related("handling_centre")
        .order_by("-received_at")[:50]
    )


def case_facts(case: Case) -> Facts:
    """What `rules.available_actions` needs beyond the case row: the open clock stop, the 告知承诺 check."""
    stop = (
        case.suspensions.filter(ended_at__isnull=True).values_list("kind", flat=True).first()
        if case.status == CaseStatus.SUSPENDED
        else None
    )
    check = (
        CommitmentCheck.objects.filter(case=case).values_list("status", flat=True).first()
        if case.uses_commitment
        else None
    )
    return Facts(suspension=stop or "", check=check or "")


def open_suspension_kind(case: Case) -> str:
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    return SuspensionKind(stop.kind).label if stop else ""


# --- the window wizard and the case page -------------------------------------------------------------


def wizard_windows(user: Any) -> list[Window]:
    """The active windows of the user's centre, by number (the wizard's first step)."""
    if user.centre_id is None:
        return []
    return list(
        Window.objects.filter(centre_id=user.centre_id, is_active=True)
        .select_related("department")
        .order_by("number")
    )


def wizard_matters(user: Any, window: Window | None) -> list[MatterVersion]:
    """The matters the wizard offers: every matter of the user's centre, or those the chosen window takes
    (orgs.windows.window_takes, the one rule receiving and the queues use too)."""
    if user.centre_id is None:
        return []
    versions = list(matters_for_centre(user.centre).select_related("matter"))
    if window is None:
        return versions
    desks = list(Window.objects.filter(centre_id=window.centre_id, is_active=True))
    return [v for v in versions if window_takes(window, v, desks=desks)]


def wizard_tickets(user: Any) -> list[Ticket]:
    """Tickets at a window of the user's centre, oldest call first (a case may start from one)."""
    if user.centre_id is None:
        return []
    return list(
        Ticket.objects.filter(centre_id=user.centre_id, status__in=AT_WINDOW_STATUSES)
        .select_related("called_window")
        .order_by("called_at")[:20]
    )


def case_agents(case: Case) -> list[User]:
    """Staff who may act as 帮办代办 for an open case: active agents and village clerks of its centres."""
    if case.status in (CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.REVOKED):
        return []
    return list(
        User.objects.filter(
            is_active=True,
            role_rows__role__in=[Role.AGENT, Role.VILLAGE_CLERK],
            centre_id__in=[case.centre_id, case.handling_centre_id],
        ).distinct()
    )


def case_file(case: Case, file_id: int) -> CaseFile:
    """One uploaded scan of the case; NotFound when it belongs to another case or does not exist."""
    record = case.files.filter(pk=file_id).first()
    if record is None:
        raise NotFound("没有这个文件。")
    return record


def case_notice(case: Case, notice_id: int) -> CaseNotice:
    """One written notice (书面凭证) of the case, ready to draw; NotFound when it is not this case's."""
    record = case.notices.select_related("case__handling_centre", "sheet").filter(pk=notice_id).first()
    if record is None:
        raise NotFound("没有这份文书。")
    return record


def list_rows(cases: Any) -> list[dict[str, Any]]:
    """The rows of a staff case list (workbench, case list, the bureau's drill-down): the case, its time left,
    its deadline light and where it waits."""
    return [
        {"case": c, "remaining": remaining(c), "light": deadline_light(c), "waits_for": waits_for(c)}
        for c in cases
    ]
