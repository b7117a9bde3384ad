"""SITE-7 电子显示屏 in a real browser: a clerk calls a ticket on the workbench and the hall's display
screen, open in a second page, shows the call (over server-sent events) and queues the announcement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from playwright.sync_api import expect

from govhall.queueing import services
from govhall.queueing.models import QueueSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_calls_and_the_display_screen_shows_it(live_server, browser, page, hall):
    centre, window = hall.town, hall.windows["minsheng"]
    QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
    ticket = services.ticket_issue(centre=centre, group="minsheng").ticket

    page.goto(f"{live_server.url}/queueing/screen/{centre.pk}/")
    page.wait_for_selector("#screen[data-ready='1']")  # the snapshot arrived over the event stream
    assert page.locator("[data-window='1'] .code").inner_text() == "未开放"

    staff = Client()
    staff.force_login(hall.front_desk, backend="django.contrib.auth.backends.ModelBackend")
    clerk_context = browser.new_context(locale="zh-CN")
    clerk_context.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url}]
    )
    clerk = clerk_context.new_page()
    clerk.set_default_timeout(10000)
    try:
        clerk.goto(f"{live_server.url}/queueing/w/{window.pk}/")
        clerk.get_by_role("button", name="开始服务").click()
        expect(page.locator("[data-window='1'] .code")).to_have_text("—")  # the window opened, live
        clerk.get_by_role("button", name="叫下一位").click()
        assert clerk.locator("#current-code").inner_text() == ticket.code
    finally:
        clerk_context.close()

    expect(page.locator("[data-window='1'] .code")).to_have_text(ticket.code)
    expect(page.locator("#scr-calls li").first).to_have_text(f"{ticket.code} → 1号窗口")
    expect(page.locator("#announcer")).to_have_text(f"请{ticket.code}号到1号窗口办理")
