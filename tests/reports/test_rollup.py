"""The daily roll-up: today kept current from the services' events equals a rebuild of the day, and a
rebuild is idempotent (GOV-1)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from govhall.core.events import subscribe
from govhall.queueing import services as queue
from govhall.reports import live
from govhall.reports.models import DailyFigure
from govhall.reports.services import ensure_today, rebuild

FIELDS = (
    "centre_id",
    "day",
    "indicator",
    "window_id",
    "clerk_id",
    "key",
    "value",
    "numerator",
    "denominator",
)


def rows(day: dt.date) -> list[tuple[Any, ...]]:
    return sorted(
        DailyFigure.objects.filter(day=day).values_list(*FIELDS),
        key=lambda r: tuple("" if v is None else str(v) for v in r),
    )


def busy_day(scene: Any, clock: Any) -> None:
    scene.rate_visit(scene.serve(), level=1)
    scene.rate_visit(scene.serve(window=scene.windows["jianshe"], clerk=scene.back_office), level=5)
    queue.ticket_issue(centre=scene.town, group="minsheng")
    scene.finished_case()
    scene.open_case()
    queue.window_pause(window=scene.windows["jianshe"], reason="break", by=scene.back_office)


def test_live_figures_from_events_equal_a_rebuild_of_the_day(
    scene: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """GOV-1: the figures kept current by the services' events are exactly those `rebuild` computes."""
    assert ensure_today()  # the day starts with every centre's rows
    with subscribe(live.TOPICS, timeout=0.2) as events:
        with django_capture_on_commit_callbacks(execute=True):
            busy_day(scene, clock)
        seen = live.apply_events(list(events))
    assert scene.town.pk in seen
    today = dt.date(2026, 3, 10)
    from_events = rows(today)
    assert any(r[2] == "tickets_waiting" and r[6] == 1 for r in from_events)
    call_command("reports_rebuild", "--from", "2026-03-10", "--to", "2026-03-10", stdout=StringIO())
    assert rows(today) == from_events


def test_rebuild_is_idempotent_and_keeps_a_past_days_snapshot(scene: Any, clock: Any) -> None:
    """GOV-1: rebuilding the same days twice gives the same rows; a past day keeps the moment figures
    (waiting, windows, open cases) recorded while it was today."""
    busy_day(scene, clock)
    live.refresh_today()
    day = dt.date(2026, 3, 10)
    recorded = rows(day)
    clock.move_to(dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC))
    out = StringIO()
    call_command("reports_rebuild", "--from", "2026-03-09", "--to", "2026-03-11", stdout=out)
    assert "已重算 3 天" in out.getvalue()
    first = rows(day)
    assert first == recorded
    rebuild(dt.date(2026, 3, 9), dt.date(2026, 3, 11))
    assert rows(day) == first


def test_rebuild_refuses_a_bad_span(db: Any) -> None:
    with pytest.raises(CommandError, match="格式"):
        call_command("reports_rebuild", "--from", "2026-13-01", "--to", "2026-12-01")
    with pytest.raises(CommandError, match="不能早于"):
        call_command("reports_rebuild", "--from", "2026-12-02", "--to", "2026-12-01")
