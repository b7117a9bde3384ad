"""A refusal is always visible (issue 12 §3): with JavaScript on, htmx swaps a refused action's 4xx answer
into its target (govhall/core/static/core/htmx-errors.js) and moves focus to the Chinese message, on the
case page, the window workbench and the portal. Each runs at the viewport it is used at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.cases.models import Case, CaseStatus
from govhall.queueing import services as queue
from govhall.queueing.models import QueueSettings, WindowState, WindowStatus
from tests.cases.conftest import make_flow, receive
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A working Tuesday, mid-morning: deadlines and the queue's opening hours never depend on today's date.
MORNING = dt.datetime(2026, 6, 9, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STAFF = {"width": 1920, "height": 1080}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=True):
        yield


def staff_login(page: Any, live_server: Any, user: Any, next_path: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement;
        return {role: e.getAttribute('role'), tabindex: e.getAttribute('tabindex'), text: e.innerText}; }""")


def test_refused_acceptance_shows_its_chinese_message_and_focus_is_on_it(live_server, open_page, hall):
    """MODE-1, MODE-3: a required material is missing and not taken under 容缺: 受理 is refused with a 400,
    and the clerk sees why without reloading."""
    flow = make_flow(hall)
    case = receive(flow, missing=("居民户口簿",))
    page = open_page(STAFF)
    staff_login(page, live_server, hall.front_desk, f"/cases/{case.pk}/")

    with page.expect_response(lambda r: r.url.endswith(f"/cases/{case.pk}/act/accept/")) as answer:
        page.get_by_role("button", name="受理并出具受理通知书").click()
    assert answer.value.status == 400
    alert = page.locator("#case-body [role=alert]")
    alert.wait_for()
    assert "必备材料未收齐：居民户口簿" in alert.inner_text()
    page.wait_for_function("document.activeElement.getAttribute('role') === 'alert'")
    assert "必备材料未收齐" in focused(page)["text"] and focused(page)["tabindex"] == "-1"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_refused_call_next_shows_its_chinese_message(live_server, open_page, hall):
    """A window paused from another screen refuses 叫下一位 with a 409; the panel says why and keeps its
    buttons."""
    window = hall.windows["minsheng"]
    QueueSettings.objects.create(
        centre=hall.town, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59)
    )
    queue.window_open(window=window, by=hall.front_desk)
    page = open_page(STAFF)
    staff_login(page, live_server, hall.front_desk, f"/queueing/w/{window.pk}/")
    queue.window_pause(window=window, reason="break", by=hall.front_desk)  # e.g. from the guide desk

    with page.expect_response(lambda r: r.url.endswith("/call-next/")) as answer:
        page.get_by_role("button", name="叫下一位").click()
    assert answer.value.status == 409
    alert = page.locator("#panel [role=alert]")
    alert.wait_for()
    assert "窗口处于暂停服务状态" in alert.inner_text()
    page.wait_for_function("document.activeElement.getAttribute('role') === 'alert'")
    assert "暂停服务状态" in focused(page)["text"]
    assert page.get_by_role("button", name="恢复服务").is_visible()
    assert WindowState.objects.get(window=window).status == WindowStatus.PAUSED


def test_refused_portal_form_shows_its_chinese_message(live_server, open_page, db):
    """NET-1 on a phone: a wrong case number or query password is refused with a 400 and the message is
    swapped in place, with focus on it."""
    page = open_page(PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/portal/track/")
    page.get_by_label("办件编号").fill("QD20260609000001")
    page.get_by_label("查询密码").fill("WRONG1")
    with page.expect_response(
        lambda r: r.url.endswith("/portal/track/") and r.request.method == "POST"
    ) as answer:
        page.get_by_role("button", name="查询").click()
    assert answer.value.status == 400
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx sent it, not a page load
    alert = page.locator("#track-body [role=alert]")
    alert.wait_for()
    assert "办件编号或查询密码不正确" in alert.inner_text()
    page.wait_for_function("document.activeElement.getAttribute('role') === 'alert'")
    assert "办件编号或查询密码不正确" in focused(page)["text"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # nothing overflows


def test_server_error_says_system_busy_next_to_the_control(live_server, open_page, hall, monkeypatch):
    """A 5xx has no message to swap: 系统繁忙，请稍后再试 appears beside the form that sent the request."""
    from govhall.queueing import services as queue_services

    window = hall.windows["minsheng"]
    QueueSettings.objects.create(
        centre=hall.town, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59)
    )
    queue.window_open(window=window, by=hall.front_desk)
    page = open_page(STAFF)
    staff_login(page, live_server, hall.front_desk, f"/queueing/w/{window.pk}/")

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(queue_services, "ticket_call_next", broken)
    with page.expect_response(lambda r: r.url.endswith("/call-next/")) as answer:
        page.get_by_role("button", name="叫下一位").click()
    assert answer.value.status == 500
    note = page.locator("form .htmx-busy")
    note.wait_for()
    assert note.inner_text() == "系统繁忙，请稍后再试"
    assert focused(page)["text"] == "系统繁忙，请稍后再试"
