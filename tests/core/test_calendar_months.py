"""GOV-1 (monthly figures, 通报, trends), STD-7 (monthly assessment): the one month helper of
`core.calendar`. Pure: no database, no clock."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from govhall.core.calendar import (
    first_of_month,
    month_bounds,
    month_instants,
    months,
    previous_month,
    shift_month,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


def test_month_bounds_know_february_in_leap_and_common_years():
    assert month_bounds(dt.date(2028, 2, 17)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert month_bounds(dt.date(2027, 2, 1)) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    assert month_bounds(dt.date(2100, 2, 28)) == (dt.date(2100, 2, 1), dt.date(2100, 2, 28))


def test_previous_month_of_january_is_december_of_the_year_before():
    assert previous_month(dt.date(2027, 1, 31)) == dt.date(2026, 12, 1)
    assert previous_month(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)


def test_twelve_months_back_from_november_start_in_december_of_the_year_before():
    # the 通报's 12-month trend for 2026-11 runs 2025-12 .. 2026-11
    assert shift_month(dt.date(2026, 11, 30), -11) == dt.date(2025, 12, 1)
    assert shift_month(dt.date(2026, 12, 1), -11) == dt.date(2026, 1, 1)
    assert shift_month(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 1)


def test_month_instants_are_local_midnights_and_the_end_is_the_next_month():
    start, end = month_instants(dt.date(2026, 12, 31))
    assert start == dt.datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert end == dt.datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert start.utcoffset() == dt.timedelta(hours=8)


def test_months_lists_every_month_touched_by_a_span_across_a_year_end():
    assert months(dt.date(2026, 11, 20), dt.date(2027, 2, 3)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert months(dt.date(2026, 3, 5), dt.date(2026, 3, 5)) == [dt.date(2026, 3, 1)]
    assert months(dt.date(2026, 3, 5), dt.date(2026, 2, 28)) == []


@given(days)
def test_month_bounds_agree_with_the_standard_library(day):
    first, last = month_bounds(day)
    assert first == first_of_month(day) == dt.date(day.year, day.month, 1)
    assert last == dt.date(day.year, day.month, stdlib_calendar.monthrange(day.year, day.month)[1])
    assert first <= day <= last


@given(days, st.integers(min_value=-300, max_value=300))
def test_shifting_months_there_and_back_returns_to_the_first_of_the_month(day, n):
    there = shift_month(day, n)
    assert there.day == 1
    assert (there.year - day.year) * 12 + there.month - day.month == n
    assert shift_month(there, -n) == first_of_month(day)


@given(days, days)
def test_months_are_consecutive_and_cover_both_ends(a, b):
    first, last = min(a, b), max(a, b)
    listed = months(first, last)
    assert listed[0] == first_of_month(first) and listed[-1] == first_of_month(last)
    assert all(shift_month(x, 1) == y for x, y in itertools.pairwise(listed))
