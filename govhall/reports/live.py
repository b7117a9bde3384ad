"""Keeping today's figures current from the services' events (GOV-1): the topics the city view listens to,
and recomputing today for the centres an event names. Events are best-effort; a missed one is caught up by
the next event of that centre or by the dashboard's periodic refresh."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govhall.reports.services import refresh_today

TOPICS = ["queueing.centre.*", "cases.centre.*", "reviews.centre.*"]


def topics_for(centre_ids: list[int] | None) -> list[str]:
    """The event topics a dashboard listens to: every centre's for the bureau (None), else only those of the
    user's centres (a director's town and its villages), so another town's calls never reach the page."""
    if centre_ids is None:
        return list(TOPICS)
    topics = [f"{t[:-1]}{c}.*" for t in TOPICS for c in centre_ids[:200]]
    return topics or ["reports.none"]


def centre_of(topic: str) -> int | None:
    """`queueing.centre.12.called` → 12."""
    parts = topic.split(".")
    if len(parts) >= 3 and parts[1] == "centre" and parts[2].isdigit():
        return int(parts[2])
    return None


def apply_events(events: Iterable[Any]) -> set[int]:
    """Recompute today for every centre the events name; returns those centres."""
    centres = {c for c in (centre_of(e.topic) for e in events) if c is not None}
    if centres:
        refresh_today(sorted(centres))
    return centres
