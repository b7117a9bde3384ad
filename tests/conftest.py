"""Shared fixtures. Named personas live in tests/personas.py; app folders add their own conftest."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"

# The clock-ahead pass (scripts/test.sh, GOVHALL_TEST_CLOCK_AHEAD) runs under Debian's libfaketime with
# FAKETIME_DONT_FAKE_MONOTONIC=1, since a faked monotonic clock hangs every timed wait (Queue.get, Event.wait).
# In that mode libfaketime 0.9.10 turns Python's absolute monotonic clock_nanosleep into EINVAL, so
# time.sleep raises; a timed Event.wait sleeps the same span on the real monotonic clock.
if "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1":
    import threading
    import time

    def _sleep(seconds: float) -> None:
        threading.Event().wait(max(0.0, seconds))

    time.sleep = _sleep
    # Child processes (`govhall serve`, gunicorn, a writer in the backup drill) run under the same library:
    # tests/faketime_site/sitecustomize.py gives each the same replacement.
    _site = os.path.join(os.path.dirname(__file__), "faketime_site")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_site, os.environ.get("PYTHONPATH", "")) if p)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_browser = pytest.mark.skip(reason="/usr/bin/chromium is missing")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with GOVHALL_DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs Redis: run with GOVHALL_REDIS_URL=redis://…")
    from django.conf import settings

    for item in items:
        if "browser" in item.keywords and not os.path.exists(CHROMIUM):
            item.add_marker(skip_browser)
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    """The bureau's holiday table is cached per process; a rolled-back test (an imported year, a
    bureau row) must not leave its rows in the cache for the next test."""
    from govhall.core import calendar

    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_process_memos(settings: Any) -> Iterator[None]:
    """Hot rows remembered per process (core.memo: queue settings, windows, roles) must not survive a
    rolled-back test: the next test's rows may come back under the same primary keys. Within a test a
    memory lasts until a change empties it (as in a server between changes), however slow the machine is:
    a test that counts a page's queries gets the same count whether or not 5 s passed since the last page."""
    from govhall.core import memo

    settings.HOT_CACHE_SECONDS = 3600
    memo.clear_all()
    yield
    memo.clear_all()


@pytest.fixture(autouse=True)
def _own_cache(settings: object, worker_id: str) -> Iterator[None]:
    """Each test counts in its own cache key space. Rate-limit counters live in the cache, and under
    Redis one server is shared by every xdist worker, so a FLUSHDB (cache.clear) in one test would reset
    another worker's counters mid-test. A per-test KEY_PREFIX isolates them; its keys go at the end."""
    import copy
    import uuid

    from django.core.cache import cache

    caches = copy.deepcopy(settings.CACHES)  # type: ignore[attr-defined]
    prefix = f"test-{worker_id}-{uuid.uuid4().hex[:12]}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches  # type: ignore[attr-defined]
    yield
    backend = caches["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined, operator]


@pytest.fixture
def api_client() -> object:
    from django.test import Client

    return Client()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM):
        pytest.skip("/usr/bin/chromium is missing")
    return CHROMIUM


@pytest.fixture
def hall(db: object) -> object:
    """A town centre (吕四港镇, 一类) with two villages, four comprehensive windows and named staff."""
    from tests.personas import make_hall

    return make_hall()


def login(client: object, user: object) -> object:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[attr-defined]
    return client


# --- Playwright in Debian's Chromium (never `playwright install`) ------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(viewport, **context_options)``: a page in its own Chinese-locale context, closed after the test.

    The one way a browser test opens a page; ``page`` and ``phone_page`` are the two common shapes of it."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **options: Any) -> Any:
        options.setdefault("locale", "zh-CN")
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Any) -> Any:
    return open_page()


@pytest.fixture
def phone_page(open_page: Any) -> Any:
    return open_page({"width": 390, "height": 844}, is_mobile=True, has_touch=True)
