"""The case clock (限时办结, STD-3): the promised completion moment, the yellow-warning moment, and their
extension by clock stops (补正, 特别程序). Working days come from `govhall.core.calendar`; a deadline that
reaches a year whose holidays nobody has entered is provisional (暂定, ``Deadline.waits_for_year``) and is
kept through `govhall.core.provisional` so that importing that year recomputes it (STD-3).

Yellow rule: with a limit of L units and the bureau's share s, k = ⌈L × s⌉ (at least 1); the case turns
yellow once the end of unit L − k has passed, i.e. when fewer than k units remain (k working days for
the usual 工作日 limits). Red: the promised completion moment has passed and the case is still open.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.utils import timezone

from govhall.catalog.models import TimeUnit
from govhall.core import provisional
from govhall.core.calendar import Deadline, deadline, end_of_day, working_days_between


def _plus_natural_days(moment: dt.datetime, n: int) -> dt.datetime:
    # 自然日 limits count calendar days, so plain date arithmetic is right here (not for working days).
    day = timezone.localtime(moment).date() + dt.timedelta(days=n)
    return end_of_day(day)


def add_units(moment: dt.datetime, n: int, unit: str) -> Deadline:
    if unit == TimeUnit.HOUR:
        return Deadline(at=moment + dt.timedelta(hours=n))
    if unit == TimeUnit.NATURAL_DAY:
        return Deadline(at=_plus_natural_days(moment, n))
    return deadline(moment, n)


def due_moment(start: dt.datetime, limit: int, unit: str) -> Deadline:
    """承诺办结时间: `limit` units after acceptance (即办件, limit 0: the end of the acceptance day)."""
    if limit == 0:
        return Deadline(at=end_of_day(timezone.localtime(start).date()))
    return add_units(start, limit, unit)


def warn_moment(start: dt.datetime, limit: int, unit: str, share: Decimal | float) -> Deadline | None:
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
    # A stop that reaches an unknown year counts Monday–Friday there: the deadline it extends is then
    # provisional anyway, and is recomputed from its exact anchor when the year is imported.
    return max(0, working_days_between(start, end, provisional=True))


def remaining_units(now: dt.datetime, due: dt.datetime | None, unit: str) -> int | None:
    """Units left until the deadline (0 on the last day, negative when overdue); None if no deadline.
    Across an unknown year the count is Monday–Friday, like the provisional deadline it measures."""
    if due is None:
        return None
    if unit == TimeUnit.HOUR:
        return math.floor((due - now).total_seconds() / 3600)
    if unit == TimeUnit.NATURAL_DAY:
        return (timezone.localtime(due).date() - timezone.localtime(now).date()).days
    return working_days_between(now, due, provisional=True)


def extend(obj: Any, field: str, units: int, unit: str) -> Deadline | None:
    """``obj.<field>`` moved out by a clock stop of ``units`` (None stays None)."""
    moment = getattr(obj, field)
    if moment is None:
        return None
    if unit == TimeUnit.HOUR:
        return Deadline(at=moment + dt.timedelta(hours=units))
    if unit == TimeUnit.NATURAL_DAY:
        return Deadline(at=_plus_natural_days(moment, units) if units else moment)
    return provisional.extend(obj, field, units)
