"""Writing the daily roll-up: `rebuild` recomputes days (idempotent: each day's rows are replaced in one
transaction), `refresh_today` recomputes today for the centres an event touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from govhall.orgs.models import Centre
from govhall.reports import caching, indicators
from govhall.reports.models import DailyFigure


def _all_centre_ids() -> list[int]:
    return list(Centre.objects.values_list("pk", flat=True))


def compute_day(
    day: dt.date,
    centre_ids: Sequence[int],
    *,
    now: dt.datetime | None = None,
    codes: Iterable[str] | None = None,
) -> list[DailyFigure]:
    """The rows of `day` for these centres, unsaved. Snapshot indicators are left out unless `day` is
    today (a moment cannot be recomputed afterwards)."""
    now = now or timezone.now()
    span = indicators.Day.of(day, now)
    wanted = set(codes) if codes is not None else None
    rows: list[DailyFigure] = []
    for ind in indicators.registered():
        if wanted is not None and ind.code not in wanted:
            continue
        if ind.snapshot and not span.is_today:
            continue
        rows += _rows(ind, ind.build(span, centre_ids), day, now)
    return rows


def _rows(
    ind: indicators.Indicator, figures: list[indicators.Figure], day: dt.date, now: dt.datetime
) -> list[DailyFigure]:
    return [
        DailyFigure(
            centre_id=f.centre_id,
            day=f.day or day,
            indicator=ind.code,
            window_id=f.window_id,
            clerk_id=f.clerk_id,
            key=f.key,
            value=Decimal(f.value),
            numerator=f.numerator,
            denominator=f.denominator,
            computed_at=now,
        )
        for f in figures
    ]


def compute_run(
    first: dt.date, last: dt.date, centre_ids: Sequence[int], *, now: dt.datetime
) -> list[DailyFigure]:
    """The rows of the past days `first`..`last`: an indicator whose builder spans days in one query for
    the whole run, any other day by day. The same rows as `compute_day` for each day."""
    run = indicators.Day.run(first, last, now)
    rows: list[DailyFigure] = []
    for ind in indicators.registered():
        if ind.snapshot:
            continue
        if ind.spans:
            rows += _rows(ind, ind.build(run, centre_ids), first, now)
        else:
            for day in run.days():
                rows += _rows(ind, ind.build(indicators.Day.of(day, now), centre_ids), day, now)
    return rows


def store_day(
    day: dt.date, centre_ids: Sequence[int] | None = None, *, now: dt.datetime | None = None
) -> int:
    """Replace the rows of `day` (all centres, or these) with freshly computed ones. Returns the row count."""
    now = now or timezone.now()
    ids = list(centre_ids) if centre_ids is not None else _all_centre_ids()
    if not ids:
        return 0
    rows = compute_day(day, ids, now=now)
    is_today = indicators.Day.of(day, now).is_today
    codes = [i.code for i in indicators.registered() if not i.snapshot or is_today]
    with transaction.atomic():
        DailyFigure.objects.filter(day=day, centre_id__in=ids, indicator__in=codes).delete()
        DailyFigure.objects.bulk_create(rows, batch_size=2000)
        _changed(day, now)
    return len(rows)


def _changed(day: dt.date, now: dt.datetime) -> None:
    """Tell the cached tables (`reports.caching`) that `day`'s rows were rewritten: a past day starts a new
    past generation, today (or a day after it) a new today generation."""
    if day < timezone.localtime(now).date():
        caching.past_changed()
    else:
        caching.today_changed()


RUN_DAYS = 31  # days recomputed together by `rebuild`


def rebuild(date_from: dt.date, date_to: dt.date, *, now: dt.datetime | None = None) -> dict[str, int]:
    """`govhall reports rebuild --from --to`: every day of the span, every centre. Running it twice gives
    the same rows."""
    if date_to < date_from:
        raise ValueError("结束日期不能早于开始日期")
    now = now or timezone.now()
    ids = _all_centre_ids()
    today = timezone.localtime(now).date()
    rows = 0
    past_end = min(date_to, today - dt.timedelta(days=1))
    first = date_from
    # Past days a month at a time: one query per spanning indicator for the month, replaced in one go.
    while first <= past_end:
        last = min(past_end, first + dt.timedelta(days=RUN_DAYS - 1))
        fresh = compute_run(first, last, ids, now=now)
        codes = [i.code for i in indicators.registered() if not i.snapshot]
        with transaction.atomic():
            DailyFigure.objects.filter(day__gte=first, day__lte=last, indicator__in=codes).delete()
            DailyFigure.objects.bulk_create(fresh, batch_size=2000)
            caching.past_changed()
        rows += len(fresh)
        first = last + dt.timedelta(days=1)
    day = max(date_from, today)
    while day <= date_to:  # today (and any day after it) as the live figures do
        rows += store_day(day, ids, now=now)
        day += dt.timedelta(days=1)
    return {"days": (date_to - date_from).days + 1, "rows": rows}


def refresh_today(centre_ids: Sequence[int] | None = None, *, now: dt.datetime | None = None) -> int:
    """Recompute today's figures (all centres, or the ones an event named)."""
    now = now or timezone.now()
    return store_day(timezone.localtime(now).date(), centre_ids, now=now)


def ensure_today(*, max_age: dt.timedelta = dt.timedelta(minutes=5), now: dt.datetime | None = None) -> bool:
    """Recompute today for every centre when today has no rows yet or its oldest row is older than
    `max_age` (the catch-up for events missed); the events keep it current in between. True if it ran."""
    from django.db.models import Min

    now = now or timezone.now()
    oldest = DailyFigure.objects.filter(day=timezone.localtime(now).date()).aggregate(t=Min("computed_at"))[
        "t"
    ]
    if oldest is not None and now - oldest <= max_age:
        return False
    refresh_today(now=now)
    return True
