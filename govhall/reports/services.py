"""Writing the daily roll-up: `rebuild` recomputes days (idempotent: each day's rows are replaced in one
transaction), `refresh_today` recomputes today for the centres an event touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from govhall.orgs.models import Centre
from govhall.reports import indicators
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
        for f in ind.build(span, centre_ids):
            rows.append(
                DailyFigure(
                    centre_id=f.centre_id,
                    day=day,
                    indicator=ind.code,
                    window_id=f.window_id,
                    clerk_id=f.clerk_id,
                    key=f.key,
                    value=Decimal(f.value),
                    numerator=f.numerator,
                    denominator=f.denominator,
                    computed_at=now,
                )
            )
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
    codes = [
        i.code for i in indicators.registered() if not i.snapshot or indicators.Day.of(day, now).is_today
    ]
    with transaction.atomic():
        DailyFigure.objects.filter(day=day, centre_id__in=ids, indicator__in=codes).delete()
        DailyFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rebuild(date_from: dt.date, date_to: dt.date, *, now: dt.datetime | None = None) -> dict[str, int]:
    """`govhall reports rebuild --from --to`: every day of the span, every centre. Running it twice gives
    the same rows."""
    if date_to < date_from:
        raise ValueError("结束日期不能早于开始日期")
    now = now or timezone.now()
    ids = _all_centre_ids()
    days = rows = 0
    day = date_from
    while day <= date_to:
        rows += store_day(day, ids, now=now)
        days += 1
        day += dt.timedelta(days=1)
    return {"days": days, "rows": rows}


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
