from __future__ import annotations

from collections.abc import Iterator

import pytest

from govhall.core import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """The bureau's holiday table is cached per process; a rolled-back test must not leave its rows
    in the cache for the next test."""
    calendar.clear_cache()
    yield
    calendar.clear_cache()
