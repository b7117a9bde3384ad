"""12345 fixtures: the 好差评 scene (tests/reviews/conftest.py: the persona hall with the case flow, a clock
frozen on Tuesday 10 March 2026) and a stand-in 12345 platform that checks our signature."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.exchange.conftest import Province, signed_platform
from tests.reviews.conftest import _fast_passwords, clock, scene  # noqa: F401

APP_ID, SECRET = "qidong-12345", "city-12345-shared-secret-0003"


@pytest.fixture
def city(settings: Any) -> Iterator[Province]:
    with signed_platform(settings, "HOTLINE", APP_ID, SECRET, "/12345/v1/feedback") as platform:
        yield platform
