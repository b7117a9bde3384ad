"""STD-3: the bureau's table overrides chinesecalendar, covers later years, and is cached."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from govhall.core import calendar
from govhall.core.calendar import UnknownYearError, add_working_days, is_working_day, working_days_between
from govhall.core.models import CalendarDay, CalendarYear, DayKind

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_bureau_holiday_overrides_chinesecalendar():
    """STD-3: a day the bureau declares off (e.g. a holiday extended by a later notice) moves deadlines."""
    accepted = dt.datetime(2026, 2, 14, 9, 0, tzinfo=SH)
    assert add_working_days(accepted, 1).date() == dt.date(2026, 2, 24)
    CalendarDay.objects.create(date=dt.date(2026, 2, 24), kind=DayKind.HOLIDAY, name="春节（延长）")
    assert not is_working_day(dt.date(2026, 2, 24))
    assert add_working_days(accepted, 1).date() == dt.date(2026, 2, 25)
    assert working_days_between(accepted, dt.date(2026, 2, 25)) == 1


def test_bureau_make_up_day_overrides_chinesecalendar_and_deleting_restores_it():
    row = CalendarDay.objects.create(date=dt.date(2026, 3, 7), kind=DayKind.WORKDAY, name="测试调休")
    assert is_working_day(dt.date(2026, 3, 7))  # a Saturday
    row.delete()
    assert not is_working_day(dt.date(2026, 3, 7))


def test_complete_bureau_year_makes_2027_dates_work():
    """STD-3: with the bureau's complete 2027 table, 2027 dates compute; weekends rest, listed days
    follow the table."""
    with pytest.raises(UnknownYearError):
        is_working_day(dt.date(2027, 1, 4))
    CalendarYear.objects.create(year=2027, source="测试通知")
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"),
            CalendarDay(date=dt.date(2027, 2, 6), kind=DayKind.WORKDAY, name="春节"),  # a Saturday
        ]
    )
    calendar.clear_cache()  # bulk_create sends no signals
    assert not is_working_day(dt.date(2027, 1, 1))  # Friday, 元旦
    assert not is_working_day(dt.date(2027, 1, 2))  # Saturday
    assert is_working_day(dt.date(2027, 1, 4))
    assert is_working_day(dt.date(2027, 2, 6))
    # Thursday 31 Dec 2026 → Monday 4 Jan 2027 is day 1.
    assert add_working_days(dt.datetime(2026, 12, 31, 15, 0, tzinfo=SH), 1).date() == dt.date(2027, 1, 4)


def test_year_is_known_follows_the_sources():
    assert calendar.year_is_known(2004) and calendar.year_is_known(2026)
    assert not calendar.year_is_known(2003) and not calendar.year_is_known(2027)
    CalendarYear.objects.create(year=2027, source="录入中", complete=False)
    assert not calendar.year_is_known(2027)
    CalendarYear.objects.filter(year=2027).update(complete=True)
    calendar.clear_cache()
    assert calendar.year_is_known(2027)


def test_incomplete_bureau_year_still_raises():
    """STD-3: a year the bureau has only started entering is not known: no weekday guess."""
    CalendarYear.objects.create(year=2027, source="录入中", complete=False)
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    assert not is_working_day(dt.date(2027, 1, 1))
    with pytest.raises(UnknownYearError) as caught:
        add_working_days(dt.date(2026, 12, 30), 3)
    assert caught.value.year == 2027
    assert "2027年的节假日安排尚未录入" in str(caught.value)


def test_complete_bureau_year_is_the_whole_truth_for_a_covered_year():
    """A complete 2026 table replaces chinesecalendar for 2026: a day it does not list follows the
    weekly rule (here: chinesecalendar's make-up Saturday 14 Feb 2026 is not in the table)."""
    assert is_working_day(dt.date(2026, 2, 14))
    CalendarYear.objects.create(year=2026, source="局录入")
    assert not is_working_day(dt.date(2026, 2, 14))
    assert is_working_day(dt.date(2026, 2, 16))  # not listed either: an ordinary Monday


def test_unknown_year_error_names_the_year_and_is_a_service_error():
    with pytest.raises(UnknownYearError) as caught:
        working_days_between(dt.date(2003, 12, 29), dt.date(2004, 1, 5))
    error = caught.value
    assert error.year == 2003
    assert error.as_dict()["code"] == "calendar_year_unknown"
    assert error.status == 409
    assert error.message.startswith("2003年的节假日安排尚未录入")


def test_table_is_read_once_then_served_from_memory(django_assert_num_queries):
    with django_assert_num_queries(2):
        is_working_day(dt.date(2026, 5, 6))
    with django_assert_num_queries(0):
        add_working_days(dt.date(2026, 4, 28), 20)
        working_days_between(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_cache_expires_for_changes_made_by_other_processes(monkeypatch):
    is_working_day(dt.date(2026, 3, 7))
    # Another process's write: no signal here.
    CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2026, 3, 7), kind=DayKind.WORKDAY)])
    assert not is_working_day(dt.date(2026, 3, 7))
    clock = calendar.time.monotonic() + calendar.CACHE_SECONDS + 1
    monkeypatch.setattr(calendar.time, "monotonic", lambda: clock)
    assert is_working_day(dt.date(2026, 3, 7))


def test_make_up_day_on_a_weekday_is_rejected_by_model_validation():
    from django.core.exceptions import ValidationError

    day = CalendarDay(date=dt.date(2026, 3, 4), kind=DayKind.WORKDAY)
    with pytest.raises(ValidationError, match="星期三"):
        day.full_clean()
