"""Working days (STD-3 限时办结制): Chinese statutory holidays and make-up working days.

Sources, in order of precedence, for a date D in year Y:

1. a bureau-kept ``CalendarDay`` row for D (放假 or 调休上班) — the bureau overrides everything;
2. when the bureau's ``CalendarYear`` Y is marked complete: Monday–Friday working, weekends not
   (the bureau's table holds the whole of that year's State Council notice);
3. the ``chinesecalendar`` package (2004–2026 in version 1.11; newer versions extend it);
4. otherwise Y is unknown: ``is_working_day`` raises ``UnknownYearError(Y)`` — never a silent guess.

The year boundary is normal business (STD-3): the State Council publishes next year's holidays in
November or December, and a hall cannot stop accepting cases meanwhile. ``deadline(moment, n)`` never
refuses: where the count reaches an unknown year it counts Monday–Friday there and returns a
``Deadline`` that says so (``waits_for_year``), with the exact part of the count (``anchor``: the last
day before the first guessed one; ``days``: the working days still to count after it) so that the
date can be recomputed when that year is imported (``govhall.core.provisional``). Every provisional
date is shown as 「暂定」 with the line of ``provisional_note``: nothing is guessed silently.

Counting rule (行政许可法 第八十二条: time limits count working days; 民法典 第二百零一条: the day a
period starts is not counted; 第二百零三条: the last day ends at 24:00):

* ``add_working_days(moment, n)``: the local date of ``moment`` is never counted, whatever the
  time of day (a case accepted at 09:00 or at 17:30 on a Monday both count from Tuesday) and
  whether or not it is a working day. Day 1 is the first working day after it; the deadline is
  the end of the n-th working day (23:59:59.999999, Asia/Shanghai). ``n == 0`` (即办件) gives
  the end of the acceptance day itself.
* ``working_days_between(start, end)``: the number of working days after ``start``'s date up to
  and including ``end``'s date, negative when ``end`` is earlier. So
  ``working_days_between(m, add_working_days(m, n)) == n``: "remaining working days" on a case is
  ``working_days_between(now, due_at)`` (0 on the last day, negative when overdue), and a clock
  stop (补正, 特别程序) from ``a`` to ``b`` extends the deadline by
  ``add_working_days(due_at, working_days_between(a, b))``.

The bureau's table is read once per process and kept for ``CACHE_SECONDS``; saving or deleting a
calendar row clears this process's copy at once (and again at commit). Other processes (cluster
shape) pick the change up within ``CACHE_SECONDS``: holiday tables are entered weeks ahead.
Tests that write calendar rows call ``clear_cache()`` after themselves.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from govhall.core.errors import ServiceError
from govhall.core.models import CalendarDay, CalendarYear, DayKind

CACHE_SECONDS = 60.0

# chinesecalendar's own tables, read directly: its is_workday() re-scans them on every call.
_CC_HOLIDAYS: Mapping[dt.date, object] = chinese_calendar.holidays
_CC_WORKDAYS: Mapping[dt.date, object] = chinese_calendar.workdays
CC_FIRST_YEAR = min(_CC_HOLIDAYS).year
CC_LAST_YEAR = max(_CC_HOLIDAYS).year


class UnknownYearError(ServiceError):
    """A date in a year whose holidays nobody has entered: deadlines cannot be computed."""

    status = 409
    code = "calendar_year_unknown"

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未录入，无法按工作日计算期限。"
            f"请局管理员录入国务院办公厅发布的{year}年部分节假日安排"
            f"（管理后台“节假日年度”，或命令 govhall calendar import）。"
        )


@dataclass(frozen=True)
class Deadline:
    """A deadline: ``at`` (end of a local day, aware) and, when part of the count fell in a year whose
    holidays are unknown, ``waits_for_year`` (the first such year). ``at`` is then provisional (暂定):
    ``deadline(anchor, days)`` recomputes it exactly once that year is known."""

    at: dt.datetime
    waits_for_year: int | None = None
    anchor: dt.date | None = None
    days: int = 0

    @property
    def provisional(self) -> bool:
        return self.waits_for_year is not None

    @property
    def note(self) -> str:
        return provisional_note(self.waits_for_year) if self.waits_for_year else ""


def tentative(text: str, year: int | None) -> str:
    """A date's text, marked 「（暂定）」 when it waits for ``year``'s holidays (STD-3: never silent)."""
    return f"{text}（暂定）" if text and year else text


def provisional_note(year: int | None) -> str:
    """The one line every provisional date carries."""
    if not year:
        return ""
    return f"{year}年节假日安排公布后将重新核定，以重新核定的期限为准"


@dataclass(frozen=True)
class BureauTable:
    """The bureau's entries: date → working? (True for 调休上班, False for 放假), and the years it
    holds completely."""

    days: Mapping[dt.date, bool] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()


def _local_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError("working-day arithmetic needs an aware datetime (or a date)")
        return timezone.localtime(value, timezone.get_default_timezone()).date()
    return value


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a local date (Asia/Shanghai), aware."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=timezone.get_default_timezone())


class WorkingCalendar:
    """Working-day arithmetic over one snapshot of the bureau's table (see the module docstring)."""

    def __init__(self, table: BureauTable | None = None) -> None:
        self.table = table or BureauTable()
        # year → running count of working days (index i: among the year's first i days), or None
        # when the year is not (wholly) known; filled lazily, so counting long spans is cheap.
        self._running: dict[int, list[int] | None] = {}

    def _lookup(self, day: dt.date) -> bool | None:
        """Working?, or None when the day's year is unknown (and the bureau has no row for it)."""
        override = self.table.days.get(day)
        if override is not None:
            return override
        if day.year in self.table.complete_years:
            return day.weekday() < 5
        if CC_FIRST_YEAR <= day.year <= CC_LAST_YEAR:
            return day in _CC_WORKDAYS or (day.weekday() < 5 and day not in _CC_HOLIDAYS)
        return None

    def is_working_day(self, day: dt.date) -> bool:
        day = _local_date(day)
        working = self._lookup(day)
        if working is None:
            raise UnknownYearError(day.year)
        return working

    def deadline(self, moment: dt.date, n: int) -> Deadline:
        """Like ``add_working_days``, but never refuses: days of an unknown year count Monday–Friday and
        the result says which year it waits for (see ``Deadline``)."""
        if n < 0:
            raise ValueError("n must be zero or more working days")
        day = _local_date(moment)
        counted = 0
        waits: int | None = None
        anchor, days = day, n
        while counted < n:
            day += dt.timedelta(days=1)
            working = self._lookup(day)
            if working is None:
                if waits is None:
                    waits, anchor, days = day.year, day - dt.timedelta(days=1), n - counted
                working = day.weekday() < 5
            counted += working
        return Deadline(
            at=end_of_day(day),
            waits_for_year=waits,
            anchor=anchor if waits else None,
            days=days if waits else 0,
        )

    def year_is_known(self, year: int) -> bool:
        return year in self.table.complete_years or CC_FIRST_YEAR <= year <= CC_LAST_YEAR

    def add_working_days(self, moment: dt.date, n: int) -> dt.datetime:
        if n < 0:
            raise ValueError("n must be zero or more working days")
        day = _local_date(moment)
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return end_of_day(day)

    def working_days_between(self, start: dt.date, end: dt.date, *, provisional: bool = False) -> int:
        """With ``provisional``, days of an unknown year count Monday–Friday instead of raising (for a
        count that only feeds a provisional deadline or a display)."""
        first, last = _local_date(start), _local_date(end)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        count = 0
        # Count (first, last] year by year: a known year from its running count, otherwise day by
        # day (which raises UnknownYearError only if a day of the span is really unknown).
        segment_start = first + dt.timedelta(days=1)
        while segment_start <= last:
            segment_end = min(last, dt.date(segment_start.year, 12, 31))
            running = self._running_count(segment_start.year)
            if running is not None:
                jan1 = dt.date(segment_start.year, 1, 1)
                count += running[(segment_end - jan1).days + 1] - running[(segment_start - jan1).days]
            else:
                day = segment_start
                while day <= segment_end:
                    working = self._lookup(day)
                    if working is None:
                        if not provisional:
                            raise UnknownYearError(day.year)
                        working = day.weekday() < 5
                    count += working
                    day += dt.timedelta(days=1)
            segment_start = segment_end + dt.timedelta(days=1)
        return sign * count

    def _running_count(self, year: int) -> list[int] | None:
        if year not in self._running:
            running = [0]
            day = dt.date(year, 1, 1)
            known = True
            while day.year == year and known:
                working = self._lookup(day)
                known = working is not None
                running.append(running[-1] + bool(working))
                day += dt.timedelta(days=1)
            self._running[year] = running if known else None
        return self._running[year]


# --- the process-wide snapshot ----------------------------------------------------------------

_snapshot: tuple[WorkingCalendar, float] | None = None


def load_bureau_table() -> BureauTable:
    days = {d: kind == DayKind.WORKDAY for d, kind in CalendarDay.objects.values_list("date", "kind")}
    complete = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    return BureauTable(days=days, complete_years=complete)


def working_calendar() -> WorkingCalendar:
    """This process's calendar, reloading the bureau's table when it is older than CACHE_SECONDS."""
    global _snapshot
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now - snapshot[1] < CACHE_SECONDS:
        return snapshot[0]
    calendar = WorkingCalendar(load_bureau_table())
    _snapshot = (calendar, now)
    return calendar


def clear_cache() -> None:
    global _snapshot
    _snapshot = None


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _calendar_changed(**kwargs: object) -> None:
    # Now, so the rest of this transaction sees the change; at commit, in case another thread of
    # this process reloaded in between and saw the old rows.
    clear_cache()
    transaction.on_commit(clear_cache)


def is_working_day(day: dt.date) -> bool:
    """Is this local date (or the local date of this aware datetime) a working day?"""
    return working_calendar().is_working_day(day)


def year_is_known(year: int) -> bool:
    """Can every date of this year be computed? (For a "please import next year's holidays" banner.)"""
    return working_calendar().year_is_known(year)


def add_working_days(moment: dt.date, n: int) -> dt.datetime:
    """Deadline n working days after ``moment``: the end (23:59:59.999999 Asia/Shanghai) of the n-th
    working day after the local date of ``moment``, which itself is never counted."""
    return working_calendar().add_working_days(moment, n)


def working_days_between(start: dt.date, end: dt.date, *, provisional: bool = False) -> int:
    """Working days after ``start``'s date up to and including ``end``'s date (negative if earlier).
    Raises UnknownYearError on a day of an unknown year unless ``provisional`` (then Monday–Friday)."""
    return working_calendar().working_days_between(start, end, provisional=provisional)


def deadline(moment: dt.date, n: int) -> Deadline:
    """The deadline n working days after ``moment`` (see ``WorkingCalendar.deadline``): exact where the
    holidays are known, provisional (暂定, with the year it waits for) where they are not."""
    return working_calendar().deadline(moment, n)


# --- calendar months ------------------------------------------------------------------------------
# The one place that knows how long a month is (reports, 好差评 figures, staff assessment, 一件事).


def first_of_month(day: dt.date) -> dt.date:
    """The first day of the month holding ``day`` (a date; for a datetime, its own date)."""
    return dt.date(day.year, day.month, 1)


def shift_month(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` calendar months after the one holding ``day`` (negative:
    before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before the one holding ``day``."""
    return shift_month(day, -1)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of the calendar month holding ``day``."""
    first = first_of_month(day)
    return first, shift_month(first, 1) - dt.timedelta(days=1)


def month_instants(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month holding ``day`` as local instants (Asia/Shanghai): its first moment, and the first
    moment of the next month (exclusive end), for ``start <= t < end`` filters."""
    tz = timezone.get_default_timezone()
    first = first_of_month(day)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(shift_month(first, 1), dt.time.min, tzinfo=tz),
    )


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s month to ``last``'s, in order (empty when ``last``
    is earlier)."""
    out: list[dt.date] = []
    month = first_of_month(first)
    while month <= last:
        out.append(month)
        month = shift_month(month, 1)
    return out
