"""Provisional (暂定) deadlines across the apps (STD-3): keeping, extending and recomputing them.

A deadline that reaches a year whose holidays are unknown is computed by ``calendar.deadline`` with
Monday–Friday in the unknown part. The app stores the date on its own row as usual and calls ``apply``,
which also keeps the exact rest of the count in a ``ProvisionalDate`` row and, when the app declared a
flag column (``track(..., flag=...)``), writes the year the date waits for there (what pages, lists, the
API and documents read to show 「暂定」).

When the bureau imports that year, ``recompute`` (called by ``calendar_year_import`` in the same
transaction) recomputes every provisional date exactly, audits each (before/after) and calls the app's
``on_recomputed`` hook (the case timeline, the applicant's SMS). Dates of objects the app says are done
(``is_open`` false: a closed case, a 容缺 already supplied) are left as they were.

Apps declare their tracked fields in ``AppConfig.ready()``: core never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from govhall.core import calendar
from govhall.core.audit import audit_record
from govhall.core.models import ProvisionalDate

Recomputed = Callable[
    [Any, str, "dt.datetime | dt.date | None", "dt.datetime | dt.date", calendar.Deadline], None
]


@dataclass(frozen=True)
class Tracked:
    field: str
    flag: str | None = None
    is_open: Callable[[Any], bool] | None = None
    on_recomputed: Recomputed | None = None


_TRACKED: dict[tuple[str, str], Tracked] = {}


def _label(model: type[models.Model] | models.Model) -> str:
    return f"{model._meta.app_label}.{model._meta.object_name}"


def track(
    model: type[models.Model],
    field: str,
    *,
    flag: str | None = None,
    is_open: Callable[[Any], bool] | None = None,
    on_recomputed: Recomputed | None = None,
) -> None:
    """Declare a deadline field that may hold a provisional date (from the app's ``ready()``)."""
    _TRACKED[(_label(model), field)] = Tracked(
        field=field, flag=flag, is_open=is_open, on_recomputed=on_recomputed
    )


def _is_date_field(model: type[models.Model] | models.Model, field: str) -> bool:
    f = model._meta.get_field(field)
    return isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)


def value_of(obj: models.Model, field: str, deadline: calendar.Deadline) -> dt.datetime | dt.date:
    return timezone.localtime(deadline.at).date() if _is_date_field(obj, field) else deadline.at


def apply(obj: models.Model, field: str, deadline: calendar.Deadline | None) -> list[str]:
    """Set ``obj.<field>`` (and its flag column) from ``deadline`` and keep the registry row in step.
    The caller saves ``obj``; the names returned are the fields this set (for ``update_fields``).
    ``None`` clears the date."""
    return apply_many(obj, {field: deadline})


def apply_many(obj: models.Model, deadlines: Mapping[str, calendar.Deadline | None]) -> list[str]:
    """``apply`` for several deadline fields of one object at once: the registry rows of the exact dates
    (the usual case) are dropped in one statement, not one per field (issue 15)."""
    if obj.pk is None:
        raise ValueError("save the object before giving it a deadline")
    label = _label(obj)
    changed: list[str] = []
    exact: list[str] = []
    for field, deadline in deadlines.items():
        tracked = _TRACKED.get((label, field))
        if tracked is None:
            raise LookupError(f"{label}.{field} is not a tracked deadline field: call provisional.track()")
        setattr(obj, field, value_of(obj, field, deadline) if deadline is not None else None)
        changed.append(field)
        waits = deadline.waits_for_year if deadline is not None else None
        if tracked.flag:
            setattr(obj, tracked.flag, waits)
            changed.append(tracked.flag)
        if deadline is not None and deadline.provisional:
            assert deadline.anchor is not None and waits is not None  # what `provisional` means
            ProvisionalDate.objects.update_or_create(
                model=label,
                object_id=str(obj.pk),
                field=field,
                defaults={"anchor": deadline.anchor, "days": deadline.days, "waits_for_year": waits},
            )
        else:
            exact.append(field)
    if exact:
        ProvisionalDate.objects.filter(model=label, object_id=str(obj.pk), field__in=exact).delete()
    return changed


def extend(obj: models.Model, field: str, units: int) -> calendar.Deadline:
    """``obj.<field>`` moved out by ``units`` working days (a clock stop): a provisional date moves from
    its exact anchor, so that recomputing it later stays exact."""
    row = ProvisionalDate.objects.filter(model=_label(obj), object_id=str(obj.pk), field=field).first()
    if row is not None:
        return calendar.deadline(row.anchor, row.days + units)
    current = getattr(obj, field)
    if current is None:
        raise ValueError(f"{field} has no date to extend")
    if units == 0:
        at = current if isinstance(current, dt.datetime) else calendar.end_of_day(current)
        return calendar.Deadline(at=at)
    return calendar.deadline(current, units)


def waiting(year: int | None = None) -> models.QuerySet[ProvisionalDate]:
    rows = ProvisionalDate.objects.all()
    return rows.filter(waits_for_year=year) if year is not None else rows


@dataclass(frozen=True)
class Change:
    model: str
    object_id: str
    field: str
    before: dt.datetime | dt.date | None
    after: dt.datetime | dt.date
    waits_for_year: int | None


def _jsonable(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


@transaction.atomic
def recompute(*, actor: Any = None, note: str = "") -> list[Change]:
    """Recompute every provisional date whose year has become known (all or nothing, in the caller's
    transaction). Dates of finished objects are dropped from the registry unchanged."""
    cal = calendar.working_calendar()
    changes: list[Change] = []
    rows = list(ProvisionalDate.objects.select_for_update().order_by("pk"))
    for row in rows:
        if not cal.year_is_known(row.waits_for_year):
            continue
        tracked = _TRACKED.get((row.model, row.field))
        try:
            model = apps.get_model(row.model)
        except LookupError:
            model = None
        obj = model._default_manager.select_for_update().filter(pk=row.object_id).first() if model else None
        if obj is None or tracked is None or (tracked.is_open is not None and not tracked.is_open(obj)):
            row.delete()
            continue
        new = cal.deadline(row.anchor, row.days)
        before = getattr(obj, row.field)
        fields = apply(obj, row.field, new)
        obj.save(update_fields=fields)
        after = getattr(obj, row.field)
        audit_record(
            action="calendar.deadline_recompute",
            obj=obj,
            actor=actor,
            note=note[:300],
            before={row.field: _jsonable(before), "waits_for_year": row.waits_for_year},
            after={row.field: _jsonable(after), "waits_for_year": new.waits_for_year},
        )
        if tracked.on_recomputed is not None:
            tracked.on_recomputed(obj, row.field, before, after, new)
        changes.append(Change(row.model, row.object_id, row.field, before, after, new.waits_for_year))
    return changes


@dataclass(frozen=True)
class YearBanner:
    """「2027年节假日安排尚未录入；当前有N件办件期限为暂定」 on the bureau's pages and the staff home."""

    year: int
    cases: int

    @property
    def text(self) -> str:
        return f"{self.year}年节假日安排尚未录入；当前有{self.cases}件办件期限为暂定"


def year_banner(today: dt.date) -> YearBanner | None:
    """From 1 October, while next year's holidays are unknown (STD-3); None otherwise."""
    year = today.year + 1
    if today.month < 10 or calendar.year_is_known(year):
        return None
    cases = waiting().filter(model="cases.Case").values("object_id").distinct().count()
    return YearBanner(year=year, cases=cases)
