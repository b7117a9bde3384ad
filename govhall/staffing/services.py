"""Staffing services: who is available, who handles a post's work (AB角, STD-4), 首问 enquiries (STD-1),
attendance and leave (STD-7). Every state change is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.accounts.models import Role, UnitKind, User
from govhall.core.audit import audit_record
from govhall.core.calendar import UnknownYearError, first_of_month, month_instants, working_calendar
from govhall.core.compiled import CompiledRead
from govhall.core.crypto import lookup_digest
from govhall.core.errors import Conflict, Forbidden, ServiceError, field_error
from govhall.core.ids import normalize_mobile
from govhall.core.memo import ProcessMemo
from govhall.core.pii import pii_reveal_fields
from govhall.orgs.models import Centre, CentreLevel, Post
from govhall.orgs.policy import require_manage_centre
from govhall.staffing.indicators import (
    HUNDRED,
    IndicatorContext,
    get_indicator,
    quantize,
)
from govhall.staffing.models import (
    DEFAULT_SIGN_IN_DEADLINE,
    AssessmentIndicator,
    AssessmentItem,
    AssessmentResult,
    AssessmentScheme,
    Attendance,
    AttendanceSettings,
    Enquiry,
    EnquiryChannel,
    EnquiryStatus,
    Leave,
    LeaveKind,
    LeaveStatus,
    ManualItemKind,
    SchemeScope,
)
from govhall.staffing.policy import (
    can_decide_leave,
    can_manage_assessment,
    handover_candidates,
    is_centre_director,
)

# --- working days ------------------------------------------------------------------------------


def working_days_in(days: Iterable[dt.date]) -> list[dt.date]:
    """The working days among `days` (govhall.core.calendar). For sign-in checks and attendance only, a
    year nobody has entered yet counts Monday to Friday: routing must never fail for want of a holiday
    table (deadlines use govhall.core.calendar.deadline, which marks such a date provisional)."""
    calendar = working_calendar()
    out = []
    for day in days:
        try:
            working = calendar.is_working_day(day)
        except UnknownYearError:
            working = day.weekday() < 5
        if working:
            out.append(day)
    return out


# --- availability and AB routing (STD-4) ---------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    """Who handles a post's work at a moment, and why (shown on the record: who acted and why)."""

    user: Any
    role: str  # "A", "B" or "director"
    reason: str

    @property
    def is_substitute(self) -> bool:
        return self.role != "A"


# The centres' sign-in deadlines, asked by every routing of a case (AB roles) and rarely changed: kept per
# process for a few seconds, emptied when a centre's attendance settings are saved (issue 15).
SIGN_IN_DEADLINES_MEMO: ProcessMemo[dict[int, dt.time]] = ProcessMemo("staffing-sign-in-deadlines")


def _sign_in_deadlines(centre_ids: frozenset[int | None]) -> dict[int, dt.time]:
    """The sign-in deadline set for each of these centres (those without settings are left out)."""
    return dict(
        AttendanceSettings.objects.filter(centre_id__in=[c for c in centre_ids if c is not None]).values_list(
            "centre_id", "sign_in_deadline"
        )
    )


def _leaves_covering(ids: Iterable[int], at: dt.datetime) -> Any:
    return Leave.objects.approved().covering(at).filter(staff_id__in=ids).order_by("start_at")


def _signed_in(ids: Iterable[int], day: dt.date, at: dt.datetime) -> Any:
    return Attendance.objects.filter(staff_id__in=ids, date=day, sign_in_at__lte=at)


# The one post's A and B that every routed case step asks about (post_handler), compiled once per process
# (core.compiled, issue 15); one person alone is asked about as (them, them).
_PAIR_LEAVES = CompiledRead(lambda a, b, at: _leaves_covering([a, b], at), keys=(int, int, dt.datetime))
_PAIR_SIGNED_IN = CompiledRead(
    lambda a, b, day, at: _signed_in([a, b], day, at), keys=(int, int, dt.date, dt.datetime)
)


class Availability:
    """Presence of a set of staff at one moment, loaded in a fixed number of queries (the roster
    evaluates every post of a centre at once; post_handler uses it for one post)."""

    def __init__(self, users: Iterable[Any], at: dt.datetime) -> None:
        self.at = at
        self.local = timezone.localtime(at)
        users = [u for u in users if u is not None]
        ids = {u.pk for u in users}
        day = self.local.date()
        self._leaves: dict[int, Leave] = {}
        if 0 < len(ids) <= 2 and timezone.is_aware(at):
            pair = (min(ids), max(ids))
            leaves: Iterable[Leave] = _PAIR_LEAVES.all(*pair, at)
            self._signed_in = {row.staff_id for row in _PAIR_SIGNED_IN.all(*pair, day, at)}
        else:
            leaves = _leaves_covering(ids, at)
            self._signed_in = set(_signed_in(ids, day, at).values_list("staff_id", flat=True))
        for leave in leaves:
            self._leaves.setdefault(leave.staff_id, leave)
        self._working_day = bool(working_days_in([self.local.date()]))
        self._directors: dict[int, Any] = {}
        self._deadlines: dict[int | None, dt.time] = {}
        centre_ids = frozenset(u.centre_id for u in users)
        rows = SIGN_IN_DEADLINES_MEMO.get(centre_ids, lambda: _sign_in_deadlines(centre_ids))
        for cid in centre_ids:
            self._deadlines[cid] = rows.get(cid, DEFAULT_SIGN_IN_DEADLINE)

    def director_of(self, centre: Centre) -> Any:
        """The centre's director: the named one, else an active staff member with the director role there;
        a village centre without one falls back to its town centre's director. Cached per centre."""
        if centre.pk not in self._directors:
            self._directors[centre.pk] = _find_director(centre)
        return self._directors[centre.pk]

    def check(self, user: Any) -> tuple[bool, str]:
        """(available, reason). The reason names the cause in Chinese when unavailable, else ""."""
        if not user.is_active:
            return False, "账号已停用"
        leave = self._leaves.get(user.pk)
        if leave is not None:
            return False, f"请假（{leave.get_kind_display()}）中"
        deadline = self._deadlines.get(user.centre_id, DEFAULT_SIGN_IN_DEADLINE)
        # Before the deadline, on rest days, and once the staff member has signed in, only leave counts.
        if self._working_day and self.local.time() >= deadline and user.pk not in self._signed_in:
            return False, f"未在{deadline:%H:%M}前签到"
        return True, ""


def staff_is_available(user: Any, at: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether `user` can take work at `at` (default now): not on approved leave covering that moment,
    and, after the centre's sign-in deadline on a working day, signed in."""
    return Availability([user], at or timezone.now()).check(user)


def _find_director(centre: Centre) -> Any:
    for c in (centre, centre.parent) if centre.parent_id else (centre,):
        if c is None:
            continue
        if c.director is not None and c.director.is_active:
            return c.director
        user = (
            User.objects.filter(centre=c, is_active=True, role_rows__role=Role.DIRECTOR)
            .order_by("pk")
            .first()
        )
        if user is not None:
            return user
    return None


def post_handler(
    *, post: Post, at: dt.datetime | None = None, availability: Availability | None = None
) -> Handler:
    """Who handles `post`'s work at `at` (default now): A; B when A is away (approved leave covering the
    moment, or not signed in by the centre's deadline on a working day); the centre director when B is away
    too. Never nobody: with no director configured, B stays answerable and the reason says so.
    Pass `availability` (an Availability over many staff at the same moment) to evaluate many posts at once."""
    at = at or timezone.now()
    a, b = post.a_staff, post.b_staff
    board = availability or Availability([a, b], at)
    a_ok, a_why = board.check(a)
    if a_ok:
        return Handler(user=a, role="A", reason=f"由A角{a.display_name}办理")
    b_ok, b_why = board.check(b)
    a_part = f"A角{a.display_name}{a_why}"
    if b_ok:
        return Handler(user=b, role="B", reason=f"{a_part}，由B角{b.display_name}办理")
    b_part = f"B角{b.display_name}{b_why}"
    director = board.director_of(post.centre)
    if director is not None:
        return Handler(
            user=director,
            role="director",
            reason=f"{a_part}，{b_part}，由中心主任{director.display_name}办理",
        )
    return Handler(
        user=b, role="B", reason=f"{a_part}，{b_part}，本中心未设主任，仍由B角{b.display_name}负责"
    )


# --- 首问 enquiries (STD-1) ---------------------------------------------------------------------


def _enquiry_state(e: Enquiry) -> dict[str, Any]:
    return {
        "status": e.status,
        "handed_to": e.handed_to_id,
        "answered_by": e.answered_by_id,
        "case_number": e.converted_case_number,
    }


def _require_owner(enquiry: Enquiry, actor: Any) -> None:
    if enquiry.owner_id != actor.pk:
        owner = enquiry.handed_to or enquiry.first_staff
        raise Forbidden(f"该咨询由{owner.display_name}负责（首问负责制），只有负责人可以答复或转交。")


def _require_pending(enquiry: Enquiry, action: str) -> None:
    if not enquiry.is_pending:
        raise Conflict(f"该咨询当前状态为“{enquiry.get_status_display()}”，不能{action}。")


@transaction.atomic
def enquiry_create(
    *,
    staff: Any,
    question: str,
    asker_name: str = "",
    asker_phone: str = "",
    matter: Any = None,
    channel: str = EnquiryChannel.ON_SITE,
    answer: str = "",
) -> Enquiry:
    """Record an enquiry with `staff` as its first staff member (首问人). With an answer given on the spot
    it is recorded as answered at once."""
    if staff.centre_id is None:
        raise Forbidden("只有服务中心工作人员可以登记首问。")
    question = (question or "").strip()
    if not question:
        raise field_error("question", "请填写咨询内容。")
    if channel not in EnquiryChannel.values:
        raise field_error("channel", "咨询方式无效，应为现场、电话或网上。")
    asker_name = (asker_name or "").strip()[:40]
    phone = ""
    if asker_phone and asker_phone.strip():
        try:
            phone = normalize_mobile(asker_phone)
        except ValidationError as exc:
            raise field_error("asker_phone", exc.messages[0]) from None
    answer = (answer or "").strip()
    now = timezone.now()
    enquiry = Enquiry.objects.create(
        centre_id=staff.centre_id,
        first_staff=staff,
        channel=channel,
        matter=matter,
        question=question,
        asker_name=asker_name,
        asker_name_digest=lookup_digest(asker_name) if asker_name else "",
        asker_phone=phone,
        asker_phone_digest=lookup_digest(phone) if phone else "",
        answer=answer,
        status=EnquiryStatus.ANSWERED if answer else EnquiryStatus.OPEN,
        answered_by=staff if answer else None,
        answered_at=now if answer else None,
    )
    audit_record(action="enquiry.create", obj=enquiry, after=_enquiry_state(enquiry), actor=staff)
    return enquiry


@transaction.atomic
def enquiry_answer(*, enquiry: Enquiry, actor: Any, answer: str) -> Enquiry:
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("first_staff", "handed_to")
        .get(pk=enquiry.pk)
    )
    _require_pending(enquiry, "答复")
    _require_owner(enquiry, actor)
    answer = (answer or "").strip()
    if not answer:
        raise field_error("answer", "请填写答复内容。")
    before = _enquiry_state(enquiry)
    enquiry.answer, enquiry.status = answer, EnquiryStatus.ANSWERED
    enquiry.answered_by, enquiry.answered_at = actor, timezone.now()
    enquiry.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    audit_record(
        action="enquiry.answer", obj=enquiry, before=before, after=_enquiry_state(enquiry), actor=actor
    )
    return enquiry


@transaction.atomic
def enquiry_hand_over(*, enquiry: Enquiry, actor: Any, to: Any, note: str = "") -> Enquiry:
    """Hand the enquiry to a named colleague, who then owns it until it is answered (STD-1)."""
    enquiry = (
        Enquiry.objects.select_for_update(of=("self",))
        .select_related("first_staff", "handed_to")
        .get(pk=enquiry.pk)
    )
    _require_pending(enquiry, "转交")
    _require_owner(enquiry, actor)
    if to is None or not to.is_active:
        raise field_error("to", "请选择在岗的同事作为接收人。")
    if to.pk == actor.pk:
        raise field_error("to", "不能转交给自己。")
    if not handover_candidates(actor).filter(pk=to.pk).exists():
        raise field_error("to", "接收人应为本镇服务中心、其所属村服务中心或进驻部门的在岗工作人员。")
    before = _enquiry_state(enquiry)
    enquiry.handed_to, enquiry.handed_at = to, timezone.now()
    enquiry.handover_note, enquiry.status = (note or "").strip()[:300], EnquiryStatus.HANDED_OVER
    enquiry.save(update_fields=["handed_to", "handed_at", "handover_note", "status"])
    audit_record(
        action="enquiry.hand_over",
        obj=enquiry,
        before=before,
        after=_enquiry_state(enquiry),
        actor=actor,
        note=f"转交给{to}",
    )
    return enquiry


@transaction.atomic
def enquiry_mark_converted(*, enquiry: Enquiry, case_number: str, actor: Any) -> Enquiry:
    """Called by the case app when an enquiry becomes a case (the Case keeps its own FK to the enquiry)."""
    enquiry = Enquiry.objects.select_for_update(of=("self",)).get(pk=enquiry.pk)
    case_number = (case_number or "").strip()
    if not case_number or len(case_number) > 50:
        raise field_error("case_number", "办件编号不能为空，且不超过50个字符。")
    if enquiry.status == EnquiryStatus.CONVERTED:
        raise Conflict(f"该咨询已转为办件（{enquiry.converted_case_number}），不能重复转办。")
    before = _enquiry_state(enquiry)
    enquiry.status, enquiry.converted_case_number = EnquiryStatus.CONVERTED, case_number
    enquiry.converted_at = timezone.now()
    enquiry.save(update_fields=["status", "converted_case_number", "converted_at"])
    audit_record(
        action="enquiry.convert", obj=enquiry, before=before, after=_enquiry_state(enquiry), actor=actor
    )
    return enquiry


def enquiry_reveal_contact(*, enquiry: Enquiry, actor: Any) -> dict[str, str]:
    """The asker's unmasked name and phone, through `core.pii` (the roles of REVEAL_ROLES; one audited view).
    Forbidden for roles that see only the masked form (guides, liaisons, inspectors, the bureau)."""
    return pii_reveal_fields(
        user=actor, obj=enquiry, fields=("asker_name", "asker_phone"), reason="查看咨询人姓名和电话"
    )


# --- attendance (STD-7) -------------------------------------------------------------------------


def sign_in_deadline(centre_id: int | None) -> dt.time:
    if centre_id is None:
        return DEFAULT_SIGN_IN_DEADLINE
    value = (
        AttendanceSettings.objects.filter(centre_id=centre_id)
        .values_list("sign_in_deadline", flat=True)
        .first()
    )
    return value or DEFAULT_SIGN_IN_DEADLINE


def _attendance_state(a: Attendance) -> dict[str, Any]:
    return {
        "date": a.date,
        "sign_in_at": a.sign_in_at,
        "sign_in_ip": a.sign_in_ip,
        "sign_out_at": a.sign_out_at,
        "sign_out_ip": a.sign_out_ip,
    }


@transaction.atomic
def attendance_sign_in(*, staff: Any, ip: str, at: dt.datetime | None = None) -> Attendance:
    """Sign in at the workbench: the time and the client address are recorded, once a day."""
    if staff.centre_id is None:
        raise Forbidden("只有服务中心工作人员需要签到。")
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    existing = Attendance.objects.filter(staff=staff, date=day).first()
    if existing is not None:
        raise Conflict(f"您今天已于{timezone.localtime(existing.sign_in_at):%H:%M}签到，无需重复签到。")
    try:
        with transaction.atomic():
            row = Attendance.objects.create(
                staff=staff,
                centre_id=staff.centre_id,
                date=day,
                sign_in_at=at,
                sign_in_ip=(ip or "")[:45],
                deadline=sign_in_deadline(staff.centre_id),
            )
    except IntegrityError:
        raise Conflict("您今天已签到，无需重复签到。") from None
    audit_record(action="attendance.sign_in", obj=row, after=_attendance_state(row), actor=staff)
    return row


@transaction.atomic
def attendance_sign_out(*, staff: Any, ip: str, at: dt.datetime | None = None) -> Attendance:
    at = at or timezone.now()
    day = timezone.localtime(at).date()
    row = Attendance.objects.select_for_update(of=("self",)).filter(staff=staff, date=day).first()
    if row is None:
        raise Conflict("您今天尚未签到，不能签退。")
    if row.sign_out_at is not None:
        raise Conflict(f"您今天已于{timezone.localtime(row.sign_out_at):%H:%M}签退。")
    if at < row.sign_in_at:  # the row's check constraint would refuse it as a database error
        raise Conflict(f"签退时间早于签到时间（{timezone.localtime(row.sign_in_at):%H:%M}），不能签退。")
    before = _attendance_state(row)
    row.sign_out_at, row.sign_out_ip = at, (ip or "")[:45]
    row.save(update_fields=["sign_out_at", "sign_out_ip"])
    audit_record(
        action="attendance.sign_out", obj=row, before=before, after=_attendance_state(row), actor=staff
    )
    return row


@transaction.atomic
def attendance_settings_update(
    *, centre: Centre, sign_in_deadline: dt.time, actor: Any
) -> AttendanceSettings:
    require_manage_centre(actor, centre)
    if not dt.time(6, 0) <= sign_in_deadline <= dt.time(12, 0):
        raise field_error("sign_in_deadline", "签到截止时间应在06:00至12:00之间。")
    row, _ = AttendanceSettings.objects.get_or_create(centre=centre)
    before = {"sign_in_deadline": row.sign_in_deadline}
    row.sign_in_deadline = sign_in_deadline
    row.save()
    audit_record(
        action="attendance.settings",
        obj=row,
        before=before,
        after={"sign_in_deadline": sign_in_deadline},
        actor=actor,
    )
    return row


# --- leave (STD-7, feeds STD-4) -----------------------------------------------------------------


def _leave_state(leave: Leave) -> dict[str, Any]:
    return {
        "status": leave.status,
        "kind": leave.kind,
        "start_at": leave.start_at,
        "end_at": leave.end_at,
        "approved_by": leave.approved_by_id,
        "decision_note": leave.decision_note,
    }


@transaction.atomic
def leave_request(
    *, staff: Any, kind: str, start_at: dt.datetime, end_at: dt.datetime, reason: str, actor: Any = None
) -> Leave:
    """Ask for leave (or record 公出/培训). The staff member asks, or their centre's director records it
    for them; either way the director of that centre decides."""
    actor = actor or staff
    if staff.centre_id is None:
        raise Forbidden("只有服务中心工作人员通过本系统请假。")
    if actor.pk != staff.pk:
        if not is_centre_director(actor, staff.centre):
            raise Forbidden("只能为自己请假，或由本中心主任代为登记。")
    if kind not in LeaveKind.values:
        raise field_error("kind", "请假类型无效。")
    if start_at is None or end_at is None:
        raise field_error("start_at", "请填写开始和结束时间。")
    if end_at <= start_at:
        raise field_error("end_at", "结束时间应晚于开始时间。")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "请填写请假事由。")
    overlap = (
        Leave.objects.filter(staff=staff, status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED])
        .overlapping(start_at, end_at)
        .first()
    )
    if overlap is not None:
        raise Conflict(
            f"与已有的{overlap.get_kind_display()}（{timezone.localtime(overlap.start_at):%Y-%m-%d %H:%M}至"
            f"{timezone.localtime(overlap.end_at):%Y-%m-%d %H:%M}，{overlap.get_status_display()}）时间重叠。"
        )
    leave = Leave.objects.create(
        staff=staff,
        centre_id=staff.centre_id,
        kind=kind,
        start_at=start_at,
        end_at=end_at,
        reason=reason[:300],
    )
    audit_record(action="leave.request", obj=leave, after=_leave_state(leave), actor=actor)
    return leave


def _decide(leave: Leave, actor: Any, status: str, note: str, action: str) -> Leave:
    leave = Leave.objects.select_for_update(of=("self",)).select_related("staff", "centre").get(pk=leave.pk)
    if not can_decide_leave(actor, leave):
        raise Forbidden("只有该工作人员所在中心的主任可以审批请假（主任本人的请假由市行政审批局审批）。")
    if leave.status != LeaveStatus.REQUESTED:
        raise Conflict(f"该请假当前状态为“{leave.get_status_display()}”，不能再审批。")
    before = _leave_state(leave)
    leave.status, leave.approved_by, leave.decided_at = status, actor, timezone.now()
    leave.decision_note = (note or "").strip()[:300]
    leave.save(update_fields=["status", "approved_by", "decided_at", "decision_note"])
    audit_record(action=action, obj=leave, before=before, after=_leave_state(leave), actor=actor)
    return leave


@transaction.atomic
def leave_approve(*, leave: Leave, actor: Any, note: str = "") -> Leave:
    return _decide(leave, actor, LeaveStatus.APPROVED, note, "leave.approve")


@transaction.atomic
def leave_reject(*, leave: Leave, actor: Any, note: str) -> Leave:
    if not (note or "").strip():
        raise field_error("note", "驳回请假须填写理由。")
    return _decide(leave, actor, LeaveStatus.REJECTED, note, "leave.reject")


@transaction.atomic
def leave_cancel(*, leave: Leave, actor: Any) -> Leave:
    leave = Leave.objects.select_for_update(of=("self",)).get(pk=leave.pk)
    if leave.staff_id != actor.pk:
        raise Forbidden("只能撤销本人的请假。")
    if leave.status not in (LeaveStatus.REQUESTED, LeaveStatus.APPROVED):
        raise Conflict(f"该请假当前状态为“{leave.get_status_display()}”，不能撤销。")
    if leave.status == LeaveStatus.APPROVED and leave.end_at <= timezone.now():
        raise Conflict("该请假已结束，不能撤销。")
    before = _leave_state(leave)
    leave.status = LeaveStatus.CANCELLED
    leave.save(update_fields=["status"])
    audit_record(action="leave.cancel", obj=leave, before=before, after=_leave_state(leave), actor=actor)
    return leave


# --- assessment (考核, STD-7) -------------------------------------------------------------------


def _require_assessor(actor: Any) -> None:
    if not can_manage_assessment(actor):
        raise Forbidden("只有市行政审批局管理员或考核员可以设置考核方案、录入考核项和计算考核结果。")


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise field_error(field, f"{label}应为数字。") from None
    if not number.is_finite():
        raise field_error(field, f"{label}应为数字。")
    return quantize(number)


@transaction.atomic
def assessment_scheme_create(
    *,
    name: str,
    indicators: list[tuple[str, Decimal | str | int]],
    actor: Any,
    scope: str = SchemeScope.ALL,
    notes: str = "",
    activate: bool = True,
) -> AssessmentScheme:
    """A scheme with (code, weight) indicators, weights adding up to 100. Activating it retires the
    previous active scheme of the same scope (its results stay)."""
    _require_assessor(actor)
    name = (name or "").strip()
    if not name:
        raise field_error("name", "请填写方案名称。")
    if scope not in SchemeScope.values:
        raise field_error("scope", "适用范围无效。")
    if not indicators:
        raise field_error("indicators", "考核方案至少需要一个指标。")
    rows, seen, total = [], set(), Decimal(0)
    for position, (code, weight) in enumerate(indicators):
        definition = get_indicator(code)
        if definition is None:
            raise field_error("indicators", f"指标“{code}”未注册，无法计算。")
        if code in seen:
            raise field_error("indicators", f"指标“{definition.label}”重复。")
        seen.add(code)
        w = _decimal(weight, "indicators", f"指标“{definition.label}”的权重")
        if w <= 0:
            raise field_error("indicators", f"指标“{definition.label}”的权重应大于0。")
        total += w
        rows.append((code, definition.label, w, position))
    if total != HUNDRED:
        raise field_error("indicators", f"各指标权重之和应为100，当前为{total}。")
    if activate:
        AssessmentScheme.objects.filter(scope=scope, is_active=True).update(is_active=False)
    scheme = AssessmentScheme.objects.create(
        name=name[:100], scope=scope, is_active=activate, notes=notes, created_by=actor
    )
    AssessmentIndicator.objects.bulk_create(
        [
            AssessmentIndicator(scheme=scheme, code=code, label=label, weight=w, position=pos)
            for code, label, w, pos in rows
        ]
    )
    audit_record(
        action="assessment.scheme_create",
        obj=scheme,
        actor=actor,
        after={"name": scheme.name, "scope": scope, "indicators": [(c, str(w)) for c, _, w, _ in rows]},
    )
    return scheme


@transaction.atomic
def assessment_item_add(
    *,
    staff: Any,
    month: dt.date,
    kind: str,
    points: Decimal | str | int,
    what: str,
    reason: str,
    decided_by: str,
    decided_on: dt.date,
    actor: Any,
) -> AssessmentItem:
    """A manual item (uniform/badge check, training, 奖励, 问责 …) with its reason and who decided it.
    The staff member's computed results for that month are recomputed at once."""
    _require_assessor(actor)
    if staff.centre_id is None:
        raise field_error("staff", "该人员不属于任何服务中心，不参加中心考核。")
    if kind not in ManualItemKind.values:
        raise field_error("kind", "考核项类别无效。")
    value = _decimal(points, "points", "加减分")
    if abs(value) > HUNDRED:
        raise field_error("points", "单项加减分不能超过100分。")
    if kind == ManualItemKind.REWARD and value < 0:
        raise field_error("points", "奖励应为加分（不小于0）。")
    if kind == ManualItemKind.ACCOUNTABILITY and value > 0:
        raise field_error("points", "问责应为扣分（不大于0）。")
    fields = {
        "what": (what or "").strip(),
        "reason": (reason or "").strip(),
        "decided_by": (decided_by or "").strip(),
    }
    labels = {"what": "事项", "reason": "理由", "decided_by": "决定人/决定机关"}
    for key, text in fields.items():
        if not text:
            raise field_error(key, f"请填写{labels[key]}。")
    if decided_on is None:
        raise field_error("decided_on", "请填写决定日期。")
    item = AssessmentItem.objects.create(
        staff=staff,
        centre_id=staff.centre_id,
        month=first_of_month(month),
        kind=kind,
        points=value,
        what=fields["what"][:200],
        reason=fields["reason"],
        decided_by=fields["decided_by"][:100],
        decided_on=decided_on,
        recorded_by=actor,
    )
    audit_record(
        action="assessment.item_add",
        obj=item,
        actor=actor,
        after={
            "staff": staff.pk,
            "month": item.month,
            "kind": kind,
            "points": str(value),
            "what": item.what,
            "reason": item.reason,
            "decided_by": item.decided_by,
        },
    )
    for scheme in AssessmentScheme.objects.filter(results__staff=staff, results__month=item.month).distinct():
        _compute(scheme=scheme, month=item.month, staff=[staff])
    return item


def _staff_for(scheme: AssessmentScheme, month: dt.date, centres: list[Centre] | None) -> list[Any]:
    """Active centre staff in the scheme's scope who had joined before the month ended."""
    _start, end = month_instants(month)
    qs = User.objects.filter(
        is_active=True,
        unit_kind=UnitKind.CENTRE,
        centre__isnull=False,
        centre__is_active=True,
        date_joined__lt=end,
    ).select_related("centre")
    if scheme.scope == SchemeScope.TOWN:
        qs = qs.filter(centre__level=CentreLevel.TOWN)
    elif scheme.scope == SchemeScope.VILLAGE:
        qs = qs.filter(centre__level=CentreLevel.VILLAGE)
    if centres is not None:
        qs = qs.filter(centre__in=centres)
    return list(qs.order_by("pk"))


def _compute(*, scheme: AssessmentScheme, month: dt.date, staff: list[Any]) -> int:
    """Score `staff` for `month` and store the results; returns how many."""
    month = first_of_month(month)
    start, end = month_instants(month)
    ctx = IndicatorContext(month=month, start=start, end=end, today=timezone.localdate(), staff=staff)
    indicators = list(scheme.indicators.all())
    values: dict[str, Any] = {}
    for ind in indicators:
        definition = get_indicator(ind.code)
        if definition is None:
            raise ServiceError(
                f"考核方案中的指标“{ind.label}”（{ind.code}）未注册，无法计算。", code="indicator_missing"
            )
        values[ind.code] = definition.fn(ctx)
    items: dict[int, list[AssessmentItem]] = {}
    for item in AssessmentItem.objects.filter(month=month, staff_id__in=ctx.staff_ids).order_by("id"):
        items.setdefault(item.staff_id, []).append(item)
    now = timezone.now()
    results, skipped = [], []
    for user in staff:
        lines, weighted, weight_sum = [], Decimal(0), Decimal(0)
        for ind in indicators:
            res = values[ind.code].get(user.pk)
            score = None if res is None else res.score
            lines.append(
                {
                    "code": ind.code,
                    "label": ind.label,
                    "weight": str(ind.weight),
                    "score": None if score is None else str(score),
                    "value": res.value if res is not None else "本月无记录",
                }
            )
            if score is not None:
                weighted += ind.weight * score
                weight_sum += ind.weight
        if not weight_sum:
            skipped.append(user.pk)  # nothing to assess this month (e.g. joined on its last rest day)
            continue
        indicator_score = quantize(weighted / weight_sum)
        manual = [
            {
                "kind": it.get_kind_display(),
                "points": str(it.points),
                "what": it.what,
                "reason": it.reason,
                "decided_by": it.decided_by,
                "decided_on": it.decided_on.isoformat(),
            }
            for it in items.get(user.pk, [])
        ]
        manual_points = quantize(sum((it.points for it in items.get(user.pk, [])), Decimal(0)))
        results.append(
            AssessmentResult(
                scheme=scheme,
                staff=user,
                centre_id=user.centre_id,
                month=month,
                indicator_score=indicator_score,
                manual_points=manual_points,
                total=quantize(indicator_score + manual_points),
                computed_at=now,
                breakdown={"indicators": lines, "weight_applied": str(weight_sum), "manual": manual},
            )
        )
    AssessmentResult.objects.filter(scheme=scheme, month=month, staff_id__in=skipped).delete()
    AssessmentResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["scheme", "staff", "month"],
        update_fields=["centre", "indicator_score", "manual_points", "total", "breakdown", "computed_at"],
    )
    return len(results)


@transaction.atomic
def assessment_compute(
    *, scheme: AssessmentScheme, month: dt.date, actor: Any, centres: list[Centre] | None = None
) -> int:
    """Compute the month's scores under `scheme` for every active staff member of the scheme's scope
    (or of `centres`). Figures come from the records; recomputing replaces the stored results."""
    _require_assessor(actor)
    count = _compute(scheme=scheme, month=month, staff=_staff_for(scheme, month, centres))
    audit_record(
        action="assessment.compute",
        obj=scheme,
        actor=actor,
        after={
            "month": first_of_month(month),
            "results": count,
            "centres": [c.pk for c in centres] if centres is not None else "all",
        },
    )
    return count
