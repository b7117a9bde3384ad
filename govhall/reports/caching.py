"""Keeping computed city-view figures in Django's cache (issue 17; GOV-1, GOV-2): Redis at scale, the
process's memory in the embedded shape.

Two generations name what a cached table was computed from, and are part of its key:

- the **past** generation, a database row (`reports.Generation`) that goes up in the same transaction as
  any rewrite of past days' roll-up (`reports rebuild`, yesterday finalised): every process sees a
  rebuild at once, and a table computed from the old rows is never read under the new generation;
- the **today** generation, a token in the cache, replaced whenever today's roll-up is recomputed (the
  live events through `services.refresh_today`, the periodic catch-up): the next fetch of a table that
  includes today computes it afresh, so the live dashboard moves the moment a ticket is called. With the
  in-process cache another process is not told; its today tables follow within
  `REPORTS_TODAY_CACHE_SECONDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import F

from govhall.core import generations
from govhall.reports.models import Generation

T = TypeVar("T")

TODAY_KEY = "reports:today:generation"


def past_generation() -> int:
    """The current past-days generation (0 before the first rewrite)."""
    value = Generation.objects.filter(pk=1).values_list("value", flat=True).first()
    return int(value or 0)


def past_changed() -> None:
    """Past days' rows were rewritten: start a new past generation. Call it inside the transaction that
    rewrites them, so a reader that sees the new generation sees the new rows."""
    if not Generation.objects.filter(pk=1).update(value=F("value") + 1):
        Generation.objects.get_or_create(pk=1, defaults={"value": 1})


def today_generation() -> str:
    """The current today generation (a new one when none is cached, or the cache is down)."""
    return generations.current(TODAY_KEY)


def today_changed() -> None:
    """Today's rows were recomputed: a new today generation now, and again when the transaction commits (a
    request may cache the old rows under the new generation between the two)."""
    generations.renew(TODAY_KEY)


def remember(key: str, seconds: int, compute: Callable[[], T]) -> T:
    """The cached value of `key`, else `compute()` stored for `seconds` (0 or less: not cached)."""
    if seconds <= 0:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
