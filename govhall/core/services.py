"""Changes to core data: the bureau's holiday table."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from govhall.core import calendar, provisional
from govhall.core.audit import audit_record
from govhall.core.holiday_notice import Notice
from govhall.core.models import CalendarDay, CalendarYear, DayKind


def _year_summary(year: int) -> dict[str, Any] | None:
    row = CalendarYear.objects.filter(year=year).first()
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    if row is None and not days.exists():
        return None
    return {
        "source": row.source if row else "",
        "complete": row.complete if row else False,
        "holidays": [d.date.isoformat() for d in days if d.kind == DayKind.HOLIDAY],
        "workdays": [d.date.isoformat() for d in days if d.kind == DayKind.WORKDAY],
    }


@transaction.atomic
def calendar_year_import(*, notice: Notice, actor: Any = None) -> CalendarYear:
    """Replace the bureau's table for ``notice.year`` with the notice and mark the year complete, and
    recompute every provisional deadline that waited for it (STD-3). All or nothing: the notice has been
    fully validated by ``parse_notice``; the recomputed dates commit with the table or not at all."""
    before = _year_summary(notice.year)
    CalendarDay.objects.filter(date__year=notice.year).delete()
    CalendarDay.objects.bulk_create(CalendarDay(date=d.date, kind=d.kind, name=d.name) for d in notice.days)
    year, _ = CalendarYear.objects.update_or_create(
        year=notice.year, defaults={"source": notice.source, "complete": True}
    )
    audit_record(
        action="calendar.import",
        obj=year,
        before=before,
        after=_year_summary(notice.year),
        actor=actor,
        note=notice.source,
    )
    # bulk_create sends no post_save: clear the cached table here.
    calendar.clear_cache()
    transaction.on_commit(calendar.clear_cache)
    deadlines_recompute(actor=actor, note=f"{notice.year}年节假日安排（{notice.source}）")
    return year


@transaction.atomic
def deadlines_recompute(*, actor: Any = None, note: str = "") -> list[provisional.Change]:
    """Recompute the provisional deadlines whose year is now known (after an import, or an edit of the
    bureau's table in the admin)."""
    calendar.clear_cache()
    return provisional.recompute(actor=actor, note=note)
