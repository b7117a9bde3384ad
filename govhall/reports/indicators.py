"""The registry of the city view's indicators (GOV-1). Each indicator has a code, its Chinese label, the
requirement it serves, the definition shown on the pages and in the 通报, how centres combine into a town
or the city, and a builder that computes it for a list of centres on one day from the source tables.

    register(Indicator(code="tickets_issued", label="取号数", requirement="GOV-1",
                       definition="当日取号的张数", combine=SUM, build=tickets_issued))

A builder gets a `Day` (the day, its bounds and the moment "as of": now for today, the end of the day for a
past day) and the centre ids, and returns `Figure`s. A snapshot indicator (`snapshot=True`: tickets waiting
now, windows open, open cases by deadline light) describes a moment, not a day: it is recomputed for today
only, and a past day keeps what was recorded while it was today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

SUM, RATE, MAX, MEAN = "sum", "rate", "max", "mean"
CENT = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Day:
    """One day, or (for a rebuild) a run of past days from `day` to `last`: a builder that declares
    `spans=True` answers for every day of the run at once, each Figure carrying its day."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    is_today: bool
    last: dt.date | None = None

    def within(self, field: str) -> dict[str, dt.datetime]:
        """Lookups for a moment on this day (the run), up to "as of"."""
        return {f"{field}__gte": self.start, f"{field}__lt": self.end, f"{field}__lte": self.as_of}

    def dates(self, field: str = "date") -> dict[str, dt.date]:
        """Lookups for a date field on this day (the run)."""
        return {f"{field}__gte": self.day, f"{field}__lte": self.last or self.day}

    def days(self) -> list[dt.date]:
        return [self.day + dt.timedelta(days=i) for i in range(((self.last or self.day) - self.day).days + 1)]

    @classmethod
    def run(cls, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> Day:
        """The past days from `first` to `last` as one span (never today: moments are not rebuilt)."""
        a, b = cls.of(first, now), cls.of(last, now)
        return cls(day=first, start=a.start, end=b.end, as_of=b.as_of, is_today=False, last=last)

    @classmethod
    def of(cls, day: dt.date, now: dt.datetime | None = None) -> Day:
        now = now or timezone.now()
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return cls(day=day, start=start, end=end, as_of=min(now, end), is_today=start <= now < end)


@dataclass(frozen=True)
class Figure:
    centre_id: int
    value: Decimal | int
    numerator: int | None = None
    denominator: int | None = None
    window_id: int | None = None
    clerk_id: int | None = None
    key: str = ""
    day: dt.date | None = None  # set by a builder answering for a run of days


Builder = Callable[[Day, Sequence[int]], list[Figure]]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    requirement: str
    definition: str
    build: Builder
    combine: str = SUM
    snapshot: bool = False
    unit: str = ""  # 张, 件, 分钟, %, 分 …
    group: str = ""  # the dashboard's column group
    spans: bool = False  # the builder answers for a run of days in one query (see Day)


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> None:
    if not indicator.code or len(indicator.code) > 40:
        raise ValueError("indicator code must be 1–40 characters")
    if indicator.combine not in (SUM, RATE, MAX, MEAN):
        raise ValueError(f"unknown combine {indicator.combine!r}")
    _REGISTRY[indicator.code] = indicator


def get(code: str) -> Indicator | None:
    return _REGISTRY.get(code)


def registered() -> list[Indicator]:
    """In registration order (the dashboard's column order)."""
    return list(_REGISTRY.values())


def rate_figure(centre_id: int, part: int, whole: int, **dims: object) -> Figure:
    return Figure(centre_id, percent(part, whole) or Decimal(0), part, whole, **dims)  # type: ignore[arg-type]
