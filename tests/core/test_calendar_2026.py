"""STD-3: the 2026 Spring Festival and National Day, make-up working days included, as the State
Council's notice (国办发明电〔2025〕7号) and chinesecalendar have them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from govhall.core.calendar import add_working_days, is_working_day, working_days_between

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def end(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 23, 59, 59, 999999, tzinfo=SH)


def test_spring_festival_2026_days_off_and_make_up_saturdays():
    """STD-3: 春节 2026 — off Sun 15 to Mon 23 Feb; Sat 14 and Sat 28 Feb are working days."""
    assert d(2, 14).weekday() == 5 and d(2, 28).weekday() == 5  # both Saturdays
    assert is_working_day(d(2, 14)) and is_working_day(d(2, 28))
    assert [x for x in range(15, 24) if is_working_day(d(2, x))] == []
    assert is_working_day(d(2, 13)) and is_working_day(d(2, 24))
    assert not is_working_day(d(3, 1))  # an ordinary Sunday
    for day in [d(2, 14), d(2, 15), d(2, 23), d(2, 28)]:
        assert is_working_day(day) == chinese_calendar.is_workday(day)


def test_spring_festival_2026_deadlines():
    """STD-3: accepted Friday 13 Feb: day 1 is the make-up Saturday, day 2 is Tuesday 24 Feb."""
    assert add_working_days(at(2, 13, 16, 45), 1) == end(2, 14)
    assert add_working_days(at(2, 13), 2) == end(2, 24)
    assert add_working_days(at(2, 12), 5) == end(2, 26)  # 13, 14, 24, 25, 26
    assert add_working_days(at(2, 14, 9), 1) == end(2, 24)
    assert add_working_days(at(2, 18), 1) == end(2, 24)  # accepted online during the holiday
    assert add_working_days(at(2, 23), 5) == end(2, 28)  # 24, 25, 26, 27 and Saturday 28
    assert working_days_between(at(2, 13), at(2, 24)) == 2
    assert working_days_between(at(2, 10), end(3, 2)) == 10  # 11-14 (4), 24-28 (5), 2 Mar; not Sun 1 Mar


def test_national_day_2026_days_off_and_make_up_days():
    """STD-3: 国庆节 2026 — off 1 to 7 Oct; Sun 20 Sep and Sat 10 Oct are working days
    (中秋节 off Fri 25 to Sun 27 Sep)."""
    assert d(9, 20).weekday() == 6 and d(10, 10).weekday() == 5
    assert is_working_day(d(9, 20)) and is_working_day(d(10, 10))
    assert [x for x in range(1, 8) if is_working_day(d(10, x))] == []
    assert not is_working_day(d(9, 25))  # 中秋节, a Friday
    assert not is_working_day(d(10, 11))
    for day in [d(9, 20), d(9, 25), d(10, 1), d(10, 7), d(10, 10), d(10, 11)]:
        assert is_working_day(day) == chinese_calendar.is_workday(day)


def test_national_day_2026_deadlines():
    assert add_working_days(at(9, 30, 17, 30), 1) == end(10, 8)
    assert add_working_days(at(9, 30), 3) == end(10, 10)  # 8, 9 and the make-up Saturday
    assert add_working_days(at(9, 30), 4) == end(10, 12)
    assert add_working_days(at(9, 18), 1) == end(9, 20)  # Friday → the make-up Sunday
    assert working_days_between(at(9, 30), end(10, 12)) == 4
    assert working_days_between(end(10, 12), at(9, 30)) == -4
