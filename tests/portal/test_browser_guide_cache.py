"""Playwright against the live server (Debian's Chromium), issue 15 with NET-1 / SCOPE-4: on a phone the cached
guide page shows today's queue through its live fragment, and the count follows a ticket issued at the hall."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from govhall.queueing.services import ticket_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def test_the_guide_on_a_phone_shows_the_live_queue_and_follows_a_new_ticket(
    live_server: Any, open_page: Any, world: Any, clock: Any
) -> None:
    page = open_page({"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page.clock.install()  # the page's timers (htmx's every 15s) run when the test says
    page.goto(f"{live_server.url}/portal/guide/{world.dibao.code}/")
    towns = page.locator("#towns")
    waiting = towns.get_by_text(re.compile(r"当前排队：\s*0\s*人等候"))
    waiting.wait_for()  # loaded by htmx after the cached page
    assert towns.get_by_role("link", name=re.compile("手机取号")).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    ticket_issue(centre=world.town, matter_id=world.dibao.pk)
    clock.shift(dt.timedelta(seconds=6))  # past the server's few seconds of kept counts
    page.clock.run_for(16_000)  # the page's next poll
    towns.get_by_text(re.compile(r"当前排队：\s*1\s*人等候")).wait_for()
