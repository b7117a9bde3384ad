"""Reads for staffing pages, the API and exports. Access is applied by the callers' querysets
(govhall.staffing.policy); these shape and aggregate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from govhall.accounts.models import User
from govhall.core.calendar import first_of_month
from govhall.orgs.models import Centre, Post
from govhall.staffing.indicators import quantize
from govhall.staffing.models import (
    AssessmentItem,
    AssessmentResult,
    AssessmentScheme,
    Attendance,
    Enquiry,
    EnquiryStatus,
    Leave,
    LeaveStatus,
)
from govhall.staffing.policy import (
    assessment_results_visible_to,
    can_decide_leave,
    enquiries_visible_to,
    leaves_visible_to,
)
from govhall.staffing.services import Availability, Handler, post_handler


def pending_enquiries_for(user: Any) -> QuerySet[Enquiry]:
    """ "My enquiries" (STD-1): those I asked first and have neither answered nor handed over, and those
    handed to me that I have not answered. They stay until then."""
    return (
        Enquiry.objects.filter(
            Q(first_staff_id=user.pk, status=EnquiryStatus.OPEN)
            | Q(handed_to_id=user.pk, status=EnquiryStatus.HANDED_OVER)
        )
        .select_related("first_staff", "handed_to", "matter")
        .order_by("created_at", "id")
    )


def enquiries_for_list(
    user: Any, *, status: str | None = None, centre_id: int | None = None, mine: bool = False
) -> QuerySet[Enquiry]:
    qs = enquiries_visible_to(user)
    if mine:
        qs = qs.filter(Q(first_staff_id=user.pk) | Q(handed_to_id=user.pk))
    if status:
        qs = qs.filter(status=status)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    return qs.select_related("centre", "first_staff", "handed_to", "matter").order_by("-created_at", "-id")


def leaves_to_decide(user: Any) -> list[Leave]:
    """Requested leave this user may approve or reject (their centre's, or directors' for the bureau admin)."""
    qs = (
        leaves_visible_to(user)
        .filter(status=LeaveStatus.REQUESTED)
        .exclude(staff_id=user.pk)
        .select_related("staff", "centre", "centre__director")
        .order_by("start_at")
    )
    return [leave for leave in qs if can_decide_leave(user, leave)]


# --- roster -------------------------------------------------------------------------------------


@dataclass
class RosterRow:
    post: Post
    handler: Handler
    a_status: str
    b_status: str


@dataclass
class Roster:
    centre: Centre
    at: dt.datetime
    rows: list[RosterRow]
    absent: list[tuple[Any, str]] = field(default_factory=list)


def roster_for(*, centre: Centre, at: dt.datetime | None = None) -> Roster:
    """Who is on which post of `centre` at `at` and who handles it (A, or B / the director with the
    reason), plus the centre's staff who are away. A fixed number of queries however many posts."""
    at = at or timezone.now()
    posts = list(
        Post.objects.filter(centre=centre, is_active=True)
        .select_related("window", "department", "a_staff", "b_staff", "centre__director", "centre__parent")
        .order_by("window__number", "name")
    )
    staff = list(User.objects.filter(centre=centre, is_active=True).order_by("staff_no", "pk"))
    people = {u.pk: u for u in staff}
    for p in posts:
        people.setdefault(p.a_staff_id, p.a_staff)
        people.setdefault(p.b_staff_id, p.b_staff)
    board = Availability(people.values(), at)

    def status(user: Any) -> str:
        ok, why = board.check(user)
        return "在岗" if ok else why

    rows = [
        RosterRow(
            post=p,
            handler=post_handler(post=p, at=at, availability=board),
            a_status=status(p.a_staff),
            b_status=status(p.b_staff),
        )
        for p in posts
    ]
    absent = [(u, why) for u in staff for ok, why in [board.check(u)] if not ok]
    return Roster(centre=centre, at=at, rows=rows, absent=absent)


# --- assessment rankings ------------------------------------------------------------------------


def schemes_with_results() -> QuerySet[AssessmentScheme]:
    return (
        AssessmentScheme.objects.filter(Q(is_active=True) | Q(results__isnull=False))
        .distinct()
        .order_by("-is_active", "-created_at")
    )


def monthly_ranking(
    user: Any, *, scheme: AssessmentScheme, month: dt.date, centre_id: int | None = None
) -> QuerySet[AssessmentResult]:
    qs = assessment_results_visible_to(user).filter(scheme=scheme, month=first_of_month(month))
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    return qs.select_related("staff", "centre").order_by("-total", "staff__staff_no", "staff_id")


@dataclass
class RankRow:
    rank: int
    label: str
    centre: str
    score: Decimal
    count: int  # months averaged (yearly) or staff averaged (a centre's month)
    staff_no: str = ""
    result_id: int | None = None


def _ranked(rows: list[RankRow]) -> list[RankRow]:
    """Competition ranking (1, 2, 2, 4): equal scores share a place."""
    rows.sort(key=lambda r: (-r.score, r.staff_no, r.label))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].score == row.score else i + 1
    return rows


def staff_ranking(
    user: Any, *, scheme: AssessmentScheme, year: int, month: int | None = None, centre_id: int | None = None
) -> list[RankRow]:
    """Staff ranked by total: for one month, or by the average of the year's computed months."""
    qs = assessment_results_visible_to(user).filter(scheme=scheme, month__year=year)
    if month:
        qs = qs.filter(month__month=month)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    if month:
        return _ranked(
            [
                RankRow(0, r.staff.display_name, r.centre.name, r.total, 1, r.staff.staff_no or "", r.pk)
                for r in qs.select_related("staff", "centre")
            ]
        )
    return _ranked(
        _averaged(
            qs.values_list("staff_id", "staff__full_name", "staff__staff_no", "centre__name", "total"),
            staff=True,
        )
    )


def _averaged(rows: Any, *, staff: bool) -> list[RankRow]:
    """Average totals per key in Decimal (exact on every database), keyed by the first column."""
    groups: dict[Any, list[Any]] = {}
    for key, label, staff_no, centre, total in rows:
        entry = groups.setdefault(key, [label, staff_no, centre, []])
        entry[3].append(total)
    out = []
    for label, staff_no, centre, totals in groups.values():
        avg = quantize(sum(totals, Decimal(0)) / len(totals))
        out.append(RankRow(0, label, centre, avg, len(totals), staff_no or "" if staff else ""))
    return out


def centre_ranking(
    user: Any, *, scheme: AssessmentScheme, year: int, month: int | None = None
) -> list[RankRow]:
    """Centres ranked by the average total of their staff (for the month, or over the year)."""
    qs = assessment_results_visible_to(user).filter(scheme=scheme, month__year=year)
    if month:
        qs = qs.filter(month__month=month)
    rows = qs.values_list("centre_id", "centre__name", "month", "centre__name", "total")
    if month:
        return _ranked(_averaged(rows, staff=False))
    # Over a year: average each month's centre average, so a month with more staff weighs no more.
    per_month: dict[tuple[int, dt.date], list[Any]] = {}
    for centre_id, name, mon, _c, total in rows:
        per_month.setdefault((centre_id, mon), [name, []])[1].append(total)
    monthly = [
        (cid, name, None, name, sum(t, Decimal(0)) / len(t)) for (cid, _m), (name, t) in per_month.items()
    ]
    return _ranked(_averaged(monthly, staff=False))


# --- single rows and small lists for pages and the API ------------------------------------------------------


def attendance_on(staff: Any, day: dt.date) -> Attendance | None:
    """A staff member's attendance record of one day."""
    return Attendance.objects.filter(staff_id=staff.pk, date=day).first()


def attendance_month(staff: Any, month: dt.date) -> QuerySet[Attendance]:
    """A staff member's own records of one month, by day."""
    return Attendance.objects.filter(staff=staff, date__year=month.year, date__month=month.month).order_by(
        "date"
    )


def leave_for_display(pk: int) -> Leave:
    return Leave.objects.select_related("staff", "approved_by").get(pk=pk)


def post_with_staff(pk: int) -> Post | None:
    return Post.objects.select_related("centre", "a_staff", "b_staff").filter(pk=pk).first()


def recent_assessment_items(limit: int = 100) -> QuerySet[AssessmentItem]:
    return AssessmentItem.objects.select_related("staff", "centre", "recorded_by").order_by("-recorded_at")[
        :limit
    ]


def assessment_schemes() -> QuerySet[AssessmentScheme]:
    """Every scheme with its indicators, the active one first."""
    return AssessmentScheme.objects.prefetch_related("indicators").order_by("-is_active", "-created_at")
