"""Staffing services: who is available, who handles a post's work (AB角, STD-4), 首问 enquiries (STD-1),
attendance and leave (STD-7). Every state change is atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from govhall.accounts.models import Role
from govhall.orgs.models import Centre, Post
from govhall.staffing.models import (
    DEFAULT_SIGN_IN_DEADLINE,
    Attendance,
    AttendanceSettings,
    Leave,
)

# --- working days ------------------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """A bureau-entered holiday or make-up day wins; then chinesecalendar; for a year neither knows,
    Monday to Friday (used only for sign-in checks, never for deadlines)."""
    from govhall.core.models import CalendarDay, DayKind

    override = CalendarDay.objects.filter(date=day).values_list("kind", flat=True).first()
    if override is not None:
        return override == DayKind.WORKDAY
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def sign_in_deadline(centre_id: int | None) -> dt.time:
    if centre_id is None:
        return DEFAULT_SIGN_IN_DEADLINE
    value = AttendanceSettings.objects.filter(centre_id=centre_id).values_list("sign_in_deadline", flat=True).first()
    return value or DEFAULT_SIGN_IN_DEADLINE


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


class Availability:
    """Presence of a set of staff at one moment, loaded in a fixed number of queries (the roster
    evaluates every post of a centre at once; post_handler uses it for one post)."""

    def __init__(self, users: Iterable[Any], at: dt.datetime) -> None:
        self.at = at
        self.local = timezone.localtime(at)
        users = [u for u in users if u is not None]
        ids = {u.pk for u in users}
        self._leaves: dict[int, Leave] = {}
        for leave in Leave.objects.approved().covering(at).filter(staff_id__in=ids).order_by("start_at"):
            self._leaves.setdefault(leave.staff_id, leave)
        self._signed_in = set(
            Attendance.objects.filter(staff_id__in=ids, date=self.local.date(), sign_in_at__lte=at)
            .values_list("staff_id", flat=True)
        )
        self._working_day = is_working_day(self.local.date())
        self._deadlines: dict[int | None, dt.time] = {}
        centre_ids = {u.centre_id for u in users}
        rows = dict(AttendanceSettings.objects.filter(centre_id__in=centre_ids - {None})
                    .values_list("centre_id", "sign_in_deadline"))
        for cid in centre_ids:
            self._deadlines[cid] = rows.get(cid, DEFAULT_SIGN_IN_DEADLINE)

    def leave_of(self, user: Any) -> Leave | None:
        return self._leaves.get(user.pk)

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


def _centre_director(centre: Centre) -> Any:
    """The centre's director: the named one, else an active staff member with the director role there;
    a village centre without one falls back to its town centre's director."""
    from govhall.accounts.models import User

    for c in (centre, centre.parent) if centre.parent_id else (centre,):
        if c.director_id and c.director.is_active:
            return c.director
        user = (User.objects.filter(centre=c, is_active=True, role_rows__role=Role.DIRECTOR)
                .order_by("pk").first())
        if user is not None:
            return user
    return None


def post_handler(*, post: Post, at: dt.datetime | None = None, availability: Availability | None = None) -> Handler:
    """Who handles `post`'s work at `at` (default now): A; B when A is away (approved leave covering the
    moment, or not signed in by the centre's deadline on a working day); the centre director when B is away
    too. Never nobody: with no director configured, B stays answerable and the reason says so."""
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
    director = _centre_director(post.centre)
    if director is not None:
        return Handler(user=director, role="director",
                       reason=f"{a_part}，{b_part}，由中心主任{director.display_name}办理")
    return Handler(user=b, role="B", reason=f"{a_part}，{b_part}，本中心未设主任，仍由B角{b.display_name}负责")
