"""The case clock (限时办结, STD-3): the promised completion moment, the yellow-warning moment, and their
extension by clock stops (补正, 特别程序). Working days come from `govhall.core.calendar`, which raises
UnknownYearError (a clear 409) when a deadline reaches a year whose holidays nobody has entered.

Yellow rule: with a limit of L units and the bureau's share s, k = ⌈L × s⌉ (at least 1); the case turns
yellow once the end of unit L − k has passed, i.e. when fewer than k units remain (k working days for
the usual 工作日 limits). Red: the promised completion moment has passed and the case is still open.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils import timezone

from govhall.catalog.models import TimeUnit
from govhall.core.calendar import UnknownYearError, add_working_days, end_of_day, working_days_between


def _plus_natural_days(moment: dt.datetime, n: int) -> dt.datetime:
    # 自然日 limits count calendar days, so plain date arithmetic is right here (not for working days).
    day = timezone.localtime(moment).date() + dt.timedelta(days=n)
    return end_of_day(day)


def add_units(moment: dt.datetime, n: int, unit: str) -> dt.datetime:
    if unit == TimeUnit.HOUR:
        return moment + dt.timedelta(hours=n)
    if unit == TimeUnit.NATURAL_DAY:
        return _plus_natural_days(moment, n)
    return add_working_days(moment, n)


def due_moment(start: dt.datetime, limit: int, unit: str) -> dt.datetime:
    """承诺办结时间: `limit` units after acceptance (即办件, limit 0: the end of the acceptance day)."""
    if limit == 0:
        return end_of_day(timezone.localtime(start).date())
    return add_units(start, limit, unit)


def warn_moment(start: dt.datetime, limit: int, unit: str, share: Decimal | float) -> dt.datetime | None:
    if limit == 0:
        return None
    k = max(1, math.ceil(limit * float(share)))
    return add_units(start, max(limit - k, 0), unit)


def stopped_units(start: dt.datetime, end: dt.datetime, unit: str) -> int:
    """How many units a clock stop from `start` to `end` lasted (what it adds to the deadline)."""
    if unit == TimeUnit.HOUR:
        return max(0, math.ceil((end - start).total_seconds() / 3600))
    if unit == TimeUnit.NATURAL_DAY:
        return max(0, (timezone.localtime(end).date() - timezone.localtime(start).date()).days)
    return max(0, working_days_between(start, end))


def extend(moment: dt.datetime | None, units: int, unit: str) -> dt.datetime | None:
    if moment is None or units == 0:
        return moment
    if unit == TimeUnit.HOUR:
        return moment + dt.timedelta(hours=units)
    if unit == TimeUnit.NATURAL_DAY:
        return _plus_natural_days(moment, units)
    return add_working_days(moment, units)


def remaining_units(now: dt.datetime, due: dt.datetime | None, unit: str) -> int | None:
    """Units left until the deadline (0 on the last day, negative when overdue); None if unknown."""
    if due is None:
        return None
    try:
        if unit == TimeUnit.HOUR:
            return math.floor((due - now).total_seconds() / 3600)
        if unit == TimeUnit.NATURAL_DAY:
            return (timezone.localtime(due).date() - timezone.localtime(now).date()).days
        return working_days_between(now, due)
    except UnknownYearError:
        return None
