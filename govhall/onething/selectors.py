"""Reads of 一件事: the public list, a version's members as rule values, and the merged guide."""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from govhall.cases import clock, tracking_limits
from govhall.cases.models import CLOSED_STATUSES, Case, CaseStatus, ResultKind
from govhall.cases.selectors import PublicEvent, public_timeline
from govhall.cases.tracking_limits import TrackClient
from govhall.catalog.models import CaseType, Material, MatterVersion, TimeUnit
from govhall.core.calendar import month_instants, shift_month, working_days_between
from govhall.core.errors import NotFound
from govhall.orgs.models import Window

from . import policy, rules
from .models import (
    Member,
    OneThing,
    OneThingVersion,
    Question,
    ThingCase,
    ThingCaseMember,
    ThingCaseStatus,
    ThingMemberState,
    ThingStatus,
    ThingVersionState,
)


def member_days(version: MatterVersion) -> int:
    """A member's promised limit in working days for the sum rule (rules.limit_errors): 即办 is 0; natural
    days count one for one (an upper bound); hours count as started working days of eight hours."""
    if version.case_type == CaseType.IMMEDIATE or not version.promised_limit:
        return 0
    if version.promised_limit_unit == TimeUnit.HOUR:
        return math.ceil(version.promised_limit / 8)
    return int(version.promised_limit)


def _material_spec(material: Material, links: Mapping[str, str]) -> rules.MaterialSpec:
    return rules.MaterialSpec(
        name=material.name,
        issuer=material.issuer,
        originals=material.originals,
        copies=material.copies,
        required=material.required,
        rongque=material.rongque,
        commitment=material.commitment,
        same_as=links.get(material.name, ""),
    )


def member_spec(member: Member) -> rules.MemberSpec:
    mv = member.matter_version
    links = {link.material_name: link.same_as for link in member.material_links.all()}
    condition = (
        rules.Condition(member.condition_question, member.condition_answer)
        if member.condition_question
        else None
    )
    return rules.MemberSpec(
        key=str(member.order),
        name=mv.name,
        promised_days=member_days(mv),
        result=mv.result_name,
        after=tuple(str(m.order) for m in member.after.all()),
        condition=condition,
        materials=tuple(_material_spec(m, links) for m in mv.materials.all()),
    )


def _members(version: OneThingVersion) -> QuerySet[Member]:
    return (
        version.members.select_related("matter_version__department", "matter_version__matter")
        .prefetch_related(
            "after",
            "material_links",
            Prefetch("matter_version__materials", queryset=Material.objects.order_by("order")),
        )
        .order_by("order")
    )


def public_things() -> QuerySet[OneThing]:
    return (
        OneThing.objects.filter(status=ThingStatus.ACTIVE, current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")
    )


def things_with_matter(matter_id: int) -> list[OneThing]:
    """The published 一件事 whose current version includes the matter (shown on the matter's guide)."""
    return list(
        public_things().filter(current_version__members__matter_version__matter_id=matter_id).distinct()
    )


def public_thing(code: str) -> OneThing:
    thing = public_things().filter(code=code).first()
    if thing is None:
        raise NotFound("未找到该“一件事”，或它已停用。")
    return thing


def all_things() -> list[OneThing]:
    """Every 一件事 for the bureau, drafts and withdrawn ones included; ``draft`` is its open draft or None."""
    drafts = Prefetch(
        "versions", queryset=OneThingVersion.objects.filter(state=ThingVersionState.DRAFT), to_attr="drafts"
    )
    things: list[OneThing] = list(
        OneThing.objects.select_related("current_version").prefetch_related(drafts).order_by("code")
    )
    for thing in things:
        thing.draft = thing.drafts[0] if thing.drafts else None  # type: ignore[attr-defined]
    return things


def thing_for_edit(code: str) -> OneThing:
    thing = OneThing.objects.filter(code=code).first()
    if thing is None:
        raise NotFound("未找到该“一件事”。")
    return thing


def editable_version(thing: OneThing) -> OneThingVersion:
    """The draft if there is one, else the current version (a change starts from it)."""
    draft = thing.versions.filter(state=ThingVersionState.DRAFT).first()
    version = draft or thing.current_version
    if version is None:
        raise NotFound("该“一件事”没有可编辑的版本。")
    return version


@dataclass
class GuideMember:
    member: Member
    spec: rules.MemberSpec
    stage: int
    included: bool


@dataclass
class Guide:
    """One guide for a version (SCOPE-4): members in stages, one set of materials, the merged conditions."""

    thing: OneThing
    version: OneThingVersion
    questions: list[Question]
    members: list[GuideMember]
    materials: rules.MergedMaterials
    answers: dict[str, bool]
    sum_days: int
    path_days: int

    @property
    def question_rows(self) -> list[tuple[Question, bool | None]]:
        return [(q, self.answers.get(q.code)) for q in self.questions]

    @property
    def included(self) -> list[GuideMember]:
        return [m for m in self.members if m.included]

    @property
    def departments(self) -> list[str]:
        names: list[str] = []
        for m in self.included:
            name = m.member.matter_version.department.name
            if name not in names:
                names.append(name)
        return names


def guide(version: OneThingVersion, answers: Mapping[str, bool] | None = None) -> Guide:
    answers = dict(answers or {})
    members = list(_members(version))
    specs = [member_spec(m) for m in members]
    chosen = rules.included_members(specs, answers)
    chosen_keys = {s.key for s in chosen}
    stage_of = {s.key: i for i, stage in enumerate(rules.stages(chosen), start=1) for s in stage}
    return Guide(
        thing=version.thing,
        version=version,
        questions=list(version.questions.order_by("order")),
        members=[
            GuideMember(member=m, spec=s, stage=stage_of.get(s.key, 0), included=s.key in chosen_keys)
            for m, s in zip(members, specs, strict=True)
        ],
        materials=rules.merge_materials(chosen),
        answers=answers,
        sum_days=rules.members_limit_sum(chosen),
        path_days=rules.critical_path_days(chosen),
    )


# --- applications (一件事办件): the parent's clock, its members, tracking, figures --------------------------


@dataclass
class MemberState:
    """One member of an application as the applicant and the clerk read it (public facts only)."""

    row: ThingCaseMember
    department: str
    state: str  # what happens now, in words
    result: str  # the result once closed (准予… / 不予许可：理由 / 不予受理：理由), "" while open
    closed: bool
    approved: bool
    blocks: bool  # a later member waits for this one
    due_at: dt.datetime | None

    @property
    def case(self) -> Case | None:
        return self.row.case


@dataclass
class ParentClock:
    """The parent's clock (STD-3): the composed limit from acceptance, extended by the working days a member
    that blocks the rest spent in 补正 or 特别程序; ``slowest`` names the member holding the thing up."""

    due_at: dt.datetime | None
    paused_days: int
    stopped: bool
    remaining: int | None
    overdue: bool
    slowest: MemberState | None

    @property
    def line(self) -> str:
        """One supervision line for the parent."""
        if self.due_at is None:
            return "待受理"
        parts = [f"承诺办结 {timezone.localtime(self.due_at):%Y-%m-%d}"]
        if self.stopped:
            parts.append("暂停计时（阻塞后续事项的成员在补正或特别程序中）")
        elif self.remaining is not None:
            parts.append(
                f"已超期{-self.remaining}个工作日" if self.overdue else f"剩余{self.remaining}个工作日"
            )
        if self.paused_days:
            parts.append(f"顺延{self.paused_days}个工作日")
        if self.slowest is not None:
            parts.append(f"最慢：{self.slowest.row.name}（{self.slowest.department}，{self.slowest.state}）")
        return "；".join(parts)


@dataclass
class ThingCaseView:
    parent: ThingCase
    members: list[MemberState]
    clock: ParentClock

    @property
    def finished(self) -> bool:
        return self.parent.status in (ThingCaseStatus.FINISHED, ThingCaseStatus.DELIVERED)


def _member_state(row: ThingCaseMember, blocks: bool) -> MemberState:
    case = row.case
    department = row.member.matter_version.department.name
    if case is None:
        state = row.get_state_display()
        refused = row.state == ThingMemberState.NOT_STARTED
        return MemberState(row, department, state, row.note if refused else "", refused, False, blocks, None)
    closed = case.status in CLOSED_STATUSES
    result = ""
    if case.status == CaseStatus.NOT_ACCEPTED:
        result = f"不予受理：{case.rejection_reason}"
    elif case.status == CaseStatus.REVOKED:
        result = "已撤销"
    elif closed:
        result = case.get_result_display()
        if case.result == ResultKind.APPROVED and case.certificate_name:
            result += f"（{case.certificate_name}）"
        elif case.result_reason:
            result += f"：{case.result_reason}"
    return MemberState(
        row=row,
        department=department,
        state=case.get_status_display(),
        result=result,
        closed=closed,
        approved=closed and case.result == ResultKind.APPROVED,
        blocks=blocks,
        due_at=case.due_at,
    )


def _merged(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def parent_clock(
    parent: ThingCase, members: list[MemberState], now: dt.datetime | None = None
) -> ParentClock:
    now = now or timezone.now()
    if parent.accepted_at is None:
        return ParentClock(None, 0, False, None, False, None)
    end = parent.finished_at or now
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    stopped = False
    for m in members:
        if not m.blocks or m.case is None:
            continue
        for stop in m.case.suspensions.all():
            stop_end = stop.ended_at or end
            stopped = stopped or stop.ended_at is None
            if stop_end > stop.started_at:
                spans.append((stop.started_at, min(stop_end, end)))
    paused = sum(clock.stopped_units(a, b, "workday") for a, b in _merged(spans))
    due = clock.due_moment(parent.accepted_at, parent.promised_limit + paused, "workday").at
    remaining = None if parent.finished_at else clock.remaining_units(now, due, "workday")
    overdue = (parent.finished_at or now) > due and not stopped
    started = [m for m in members if m.case is not None]
    open_ = [m for m in started if not m.closed]
    slowest: MemberState | None
    if open_:
        slowest = max(open_, key=lambda m: (m.due_at is None, m.due_at or now))
    else:
        slowest = max(started, key=lambda m: _finished_at(m.case, now), default=None)
    return ParentClock(due, paused, stopped and not parent.finished_at, remaining, overdue, slowest)


def _finished_at(case: Case | None, default: dt.datetime) -> dt.datetime:
    return case.finished_at if case is not None and case.finished_at is not None else default


def _parents() -> QuerySet[ThingCase]:
    return ThingCase.objects.select_related("thing", "version", "centre", "handling_centre")


def thing_case_view(parent: ThingCase, now: dt.datetime | None = None) -> ThingCaseView:
    rows = list(
        parent.members.select_related("case", "member__matter_version__department")
        .prefetch_related("member__after", "case__suspensions")
        .order_by("order")
    )
    present = {r.order for r in rows}
    waited_for = {m.order for r in rows for m in r.member.after.all() if m.order in present}
    members = [_member_state(r, r.order in waited_for) for r in rows]
    return ThingCaseView(parent=parent, members=members, clock=parent_clock(parent, members, now))


def thing_case_by_number(number: str) -> ThingCase:
    parent = _parents().filter(number=(number or "").strip()).first()
    if parent is None:
        raise NotFound("未找到该一件事办件。")
    return parent


def is_thing_number(number: str) -> bool:
    return ThingCase.objects.filter(number=(number or "").strip()).exists()


def track_thing(number: str, password: str, *, client: TrackClient | None = None) -> ThingCaseView:
    """The applicant's view by the parent's number + query password, under the same limits as a case's
    (cases.tracking_limits): a wrong number and a wrong password look the same."""
    client = client or TrackClient()
    number = (number or "").strip()
    tracking_limits.number_check(client, number)
    parent = _parents().filter(number=number).first()
    given = (password or "").strip().upper()
    if parent is None or not hmac.compare_digest(parent.query_password.upper().encode(), given.encode()):
        tracking_limits.number_failed(client, number)
        raise NotFound("办件编号或查询密码不正确。")
    return thing_case_view(parent)


def public_member_timeline(view: ThingCaseView) -> list[tuple[MemberState, list[PublicEvent]]]:
    """Each member's public steps (cases.selectors.public_timeline: the allow-list, never staff names)."""
    return [(m, public_timeline(m.case) if m.case is not None else []) for m in view.members]


def thing_cases_for(user: Any, *, open_only: bool = True) -> list[ThingCaseView]:
    """The applications a staff member supervises: their centre's (received or handling), the bureau's all."""
    qs = _parents().order_by("received_at")
    scope = policy.thing_case_scope(user)
    if scope is not None:
        qs = qs.filter(scope)
    if open_only:
        qs = qs.filter(status__in=[ThingCaseStatus.RECEIVED, ThingCaseStatus.PROCESSING])
    return [thing_case_view(p) for p in qs[:200]]


def thing_cases_of_applicant(digest: str) -> list[ThingCase]:
    return list(_parents().filter(applicant_id_digest=digest).order_by("-received_at")[:50])


def parents_of(case_ids: list[int]) -> dict[int, str]:
    """Child case id → 「<一件事名称>（<parent number>）」 for the cases that are members of a 一件事: lists of
    cases (the kiosk's look-up by ID) say which application each belongs to."""
    rows = ThingCaseMember.objects.filter(case_id__in=case_ids).select_related("parent__thing")
    return {r.case_id: f"{r.parent.thing.name}（{r.parent.number}）" for r in rows if r.case_id is not None}


def parent_of(case: Case) -> ThingCase | None:
    row = ThingCaseMember.objects.filter(case=case).select_related("parent").first()
    return row.parent if row else None


# --- figures (for the bureau; the city dashboard reads the same function) ---------------------------------


@dataclass
class MonthFigure:
    month: str  # "2026-06"
    received: int
    finished: int
    avg_working_days: float | None  # accepted → finished, of those finished in the month
    avg_members_sum: float | None  # the sum of the members' own limits, of the same ones
    avg_promised: float | None


@dataclass
class SlowMember:
    name: str
    slowest_times: int  # how often it finished last in its 一件事
    avg_working_days: float


@dataclass
class Figures:
    months: list[MonthFigure]
    slow: list[SlowMember]


def _avg(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def figures(
    *, since: dt.datetime, until: dt.datetime | None = None, centre_ids: list[int] | None = None
) -> Figures:
    """How many 一件事 per month (by receipt), their average working days against the sum of their members'
    limits (by finishing month), and which members finished last most often."""
    until = until or timezone.now()
    qs = _parents().filter(received_at__gte=since, received_at__lte=until)
    if centre_ids is not None:
        qs = qs.filter(handling_centre_id__in=centre_ids)
    received: dict[str, int] = {}
    for at in qs.values_list("received_at", flat=True):
        key = f"{timezone.localtime(at):%Y-%m}"
        received[key] = received.get(key, 0) + 1
    done: dict[str, list[ThingCase]] = {}
    finished = qs.filter(finished_at__isnull=False, accepted_at__isnull=False).prefetch_related(
        "members__case"
    )
    slow: dict[str, list[int]] = {}
    for p in finished:
        done.setdefault(f"{timezone.localtime(p.finished_at):%Y-%m}", []).append(p)  # type: ignore[arg-type]
        cases = [m for m in p.members.all() if m.case is not None and m.case.finished_at is not None]
        last = max(cases, key=lambda m: _finished_at(m.case, until), default=None)
        if last is not None and last.case is not None and last.case.accepted_at and last.case.finished_at:
            days = working_days_between(last.case.accepted_at, last.case.finished_at, provisional=True)
            slow.setdefault(last.name, []).append(days)
    months = []
    for key in sorted(set(received) | set(done)):
        ps = done.get(key, [])
        months.append(
            MonthFigure(
                month=key,
                received=received.get(key, 0),
                finished=len(ps),
                avg_working_days=_avg(
                    [working_days_between(p.accepted_at, p.finished_at, provisional=True) for p in ps]  # type: ignore[arg-type]
                ),
                avg_members_sum=_avg([p.members_limit_sum for p in ps]),
                avg_promised=_avg([p.promised_limit for p in ps]),
            )
        )
    slow_rows = [
        SlowMember(name=name, slowest_times=len(days), avg_working_days=_avg(days) or 0.0)
        for name, days in slow.items()
    ]
    slow_rows.sort(key=lambda s: (-s.slowest_times, -s.avg_working_days, s.name))
    return Figures(months=months, slow=slow_rows)


def windows_for(user: Any) -> list[Window]:
    """The receiving clerk's centre's windows (a 一件事 goes to a 全科 or its class's comprehensive window)."""
    if getattr(user, "centre_id", None) is None:
        return []
    return list(Window.objects.filter(centre_id=user.centre_id, is_active=True).order_by("number"))


def figures_scope(user: Any) -> list[int] | None:
    """The centres whose figures a user reads: the bureau all (None), a director or inspector their own."""
    if (
        policy.is_bureau_admin(user)
        or getattr(user, "is_bureau", False)
        or getattr(user, "is_superuser", False)
    ):
        return None
    return [user.centre_id] if getattr(user, "centre_id", None) else []


def months_back(months: int, now: dt.datetime | None = None) -> dt.datetime:
    """The start of the month ``months - 1`` months before this one (local time): a figures window."""
    today = timezone.localtime(now or timezone.now()).date()
    return month_instants(shift_month(today, -(months - 1)))[0]
