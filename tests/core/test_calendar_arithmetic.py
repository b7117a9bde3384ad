"""STD-3: properties of the working-day arithmetic, for chinesecalendar's years and for arbitrary
bureau tables. Pure: no database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govhall.core.calendar import BureauTable, UnknownYearError, WorkingCalendar, end_of_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
CC = WorkingCalendar()

dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 9, 1))
times = st.times()
moments = st.builds(lambda d, t: dt.datetime.combine(d, t, tzinfo=SHANGHAI), dates, times)
counts = st.integers(min_value=0, max_value=60)


def test_matches_chinesecalendar_on_every_day_it_covers():
    """STD-3: with an empty bureau table the answer is chinesecalendar's, 2004-01-01..2026-12-31."""
    day = dt.date(2004, 1, 1)
    while day.year <= 2026:
        assert CC.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


@given(moments, counts)
def test_add_then_count_round_trips(moment, n):
    """STD-3: counting the working days from a moment to its deadline gives back n."""
    due = CC.add_working_days(moment, n)
    assert CC.working_days_between(moment, due) == n


@given(moments, st.integers(min_value=1, max_value=60))
def test_deadline_is_the_end_of_a_working_day_after_the_start_day(moment, n):
    """STD-3: the start day is never counted; the deadline ends a working day."""
    due = CC.add_working_days(moment, n)
    assert CC.is_working_day(due.date())
    assert due.date() > moment.date()
    assert due == end_of_day(due.date())
    assert due.tzinfo is not None and due.utcoffset() == dt.timedelta(hours=8)


@given(dates, times, times, counts)
def test_time_of_day_does_not_matter(day, t1, t2, n):
    """STD-3: accepted at 08:30 or at 23:00 the same day: same deadline."""
    a = dt.datetime.combine(day, t1, tzinfo=SHANGHAI)
    b = dt.datetime.combine(day, t2, tzinfo=SHANGHAI)
    assert CC.add_working_days(a, n) == CC.add_working_days(b, n)


@given(moments, counts)
def test_deadline_grows_with_n(moment, n):
    assert CC.add_working_days(moment, n) < CC.add_working_days(moment, n + 1)


@given(moments, moments, counts)
def test_later_start_never_gives_earlier_deadline(a, b, n):
    a, b = min(a, b), max(a, b)
    assert CC.add_working_days(a, n) <= CC.add_working_days(b, n)


@given(dates, dates, dates)
def test_counting_is_antisymmetric_and_additive(a, b, c):
    assert CC.working_days_between(a, b) == -CC.working_days_between(b, a)
    assert CC.working_days_between(a, b) + CC.working_days_between(b, c) == CC.working_days_between(a, c)
    assert CC.working_days_between(a, a) == 0


@given(dates, st.integers(min_value=0, max_value=40))
def test_count_equals_working_days_listed_one_by_one(start, span):
    end = start + dt.timedelta(days=span)
    listed = [start + dt.timedelta(days=i) for i in range(1, span + 1)]
    assert CC.working_days_between(start, end) == sum(CC.is_working_day(d) for d in listed)


@given(moments)
def test_zero_days_is_the_end_of_the_start_day(moment):
    """即办件: n = 0 ends on the acceptance day itself."""
    assert CC.add_working_days(moment, 0) == end_of_day(moment.date())


# An arbitrary bureau table for a year chinesecalendar does not know: the arithmetic's laws hold for
# whatever the bureau enters.
days_2027 = st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2027, 12, 31))
bureau_tables = st.builds(
    lambda holidays, workdays: BureauTable(
        days={**{d: False for d in holidays}, **{d: True for d in workdays if d.weekday() >= 5}},
        complete_years=frozenset({2027}),
    ),
    st.sets(days_2027, max_size=40),
    st.sets(days_2027, max_size=10),
)


@settings(max_examples=60)
@given(
    bureau_tables,
    st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2027, 9, 30)),
    st.integers(min_value=0, max_value=40),
)
def test_laws_hold_for_any_bureau_table(table, start, n):
    cal = WorkingCalendar(table)
    due = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due) == n
    if n:
        assert cal.is_working_day(due.date())
    for day, working in table.days.items():
        assert cal.is_working_day(day) is working


@given(st.dates(min_value=dt.date(2027, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_a_year_nobody_covers_raises_naming_it(day):
    """STD-3: no weekday guess beyond chinesecalendar without the bureau's year."""
    with pytest.raises(UnknownYearError) as caught:
        CC.is_working_day(day)
    assert caught.value.year == day.year
    assert f"{day.year}年的节假日安排尚未录入" in caught.value.message


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="aware"):
        CC.add_working_days(dt.datetime(2026, 3, 2, 9, 0), 1)


def test_negative_n_is_refused():
    with pytest.raises(ValueError):
        CC.add_working_days(dt.date(2026, 3, 2), -1)


def test_the_local_date_counts_not_the_utc_date():
    """23:30 UTC on Friday 13 Feb 2026 is Saturday 14 Feb in Qidong (a make-up working day)."""
    moment = dt.datetime(2026, 2, 13, 23, 30, tzinfo=dt.UTC)
    assert CC.is_working_day(moment)  # Saturday 14th, 调休上班
    assert CC.add_working_days(moment, 1).date() == dt.date(2026, 2, 24)


def test_counting_needs_only_the_days_in_the_span():
    """A single bureau entry in an otherwise unknown year answers for that day and no other."""
    cal = WorkingCalendar(BureauTable(days={dt.date(2027, 1, 1): False}))
    assert cal.working_days_between(dt.date(2026, 12, 30), dt.date(2027, 1, 1)) == 1  # Thu 31 Dec
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.working_days_between(dt.date(2026, 12, 30), dt.date(2027, 1, 4))
    with pytest.raises(UnknownYearError, match="2027年"):
        cal.add_working_days(dt.date(2026, 12, 30), 2)
