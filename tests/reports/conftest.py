"""City-view fixtures: the persona hall with the case-flow matters and the queue open all day (the 好差评
scene of tests/reviews), on a clock frozen on a working Tuesday; `figures(code)` reads the stored roll-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

# The 好差评 scene's fixtures, shared as they are (pytest finds fixtures imported into a conftest).
from tests.reviews.conftest import MORNING, _fast_passwords, clock, local, scene

__all__ = ["MORNING", "_fast_passwords", "clock", "local", "scene"]


def figure(code: str, centre: Any, *, day: dt.date | None = None, key: str | None = None) -> Any:
    """The centre-level total of an indicator today (after recomputing today), as value or (num, den)."""
    from django.db.models import Sum

    from govhall.reports import indicators
    from govhall.reports.models import DailyFigure
    from govhall.reports.services import refresh_today

    refresh_today([centre.pk])
    from django.utils import timezone

    day = day or timezone.localdate()
    rows = DailyFigure.objects.filter(
        centre=centre, day=day, indicator=code, window__isnull=True, clerk__isnull=True
    )
    if key is not None:
        rows = rows.filter(key=key)
    if indicators.get(code).combine == indicators.RATE:
        agg = rows.aggregate(n=Sum("numerator"), d=Sum("denominator"))
        return (agg["n"] or 0, agg["d"] or 0)
    if not rows.exists():
        return 0
    return rows.aggregate(v=Sum("value"))["v"]
