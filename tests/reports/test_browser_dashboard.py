"""GOV-1 in a real browser: the bureau admin's city dashboard changes its waiting count when a ticket is
called in 吕四港镇 on another page (server-sent events, no reload), and drilling from the city's 收件
total lists as many cases as the figure said."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import expect

from govhall.queueing import services as queue
from govhall.queueing.models import QueueSettings
from tests.browser_layout import shots_dir
from tests.cases.conftest import make_flow
from tests.reports.conftest import local
from tests.reviews.conftest import Scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = shots_dir("city-view")


def session_page(browser: Any, live_server: Any, user: Any, **viewport: int) -> Any:
    staff = Client()
    staff.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(locale="zh-CN", viewport=viewport or {"width": 1920, "height": 1080})
    context.add_cookies(
        [{"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / name), full_page=False)


def test_dashboard_follows_a_call_live_and_drills_to_the_same_cases(
    live_server: Any, browser: Any, hall: Any
) -> None:
    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=True):
        flow = make_flow(hall)
        scene = Scene(flow=flow)
        for centre in (hall.town, hall.village, hall.other_village):
            QueueSettings.objects.create(
                centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59)
            )
        scene.finished_case()
        scene.open_case()
        queue.ticket_issue(centre=hall.town, group="minsheng")
        queue.ticket_issue(centre=hall.town, group="minsheng")

        admin = session_page(browser, live_server, hall.bureau_admin)
        admin.goto(f"{live_server.url}/reports/")
        waiting = admin.locator("tr.r-city td[data-indicator='tickets_waiting'] a")
        expect(waiting).to_have_text("2")
        assert admin.locator("tr.r-village").count() == 0  # folded: the villages are not on the page
        shot(admin, "dashboard-folded.png")
        admin.locator("tbody.r-town .r-fold").first.click()  # the fold fetches the town's villages
        expect(admin.locator("tr.r-village", has_text=hall.village.name)).to_be_visible()
        admin.wait_for_timeout(1500)  # let the event stream connect
        shot(admin, "dashboard-before.png")

        clerk = session_page(browser, live_server, hall.front_desk)
        clerk.goto(f"{live_server.url}/queueing/w/{hall.windows['minsheng'].pk}/")
        clerk.get_by_role("button", name="开始服务").click()
        clerk.get_by_role("button", name="叫下一位").click()

        expect(waiting).to_have_text("1")  # no reload: the stream reported the call
        expect(admin.locator("#r-live")).to_contain_text("实时")
        # The refreshed table keeps the town unfolded, its villages in it; folding hides them again.
        expect(admin.locator("tr.r-village", has_text=hall.village.name)).to_be_visible()
        shot(admin, "dashboard-live.png")

        received = admin.locator("tr.r-city td[data-indicator='cases_received'] a")
        figure = received.inner_text()
        received.click()
        expect(admin.locator(".r-total")).to_have_text(f"共 {figure} 件")
        assert admin.locator("table.cases tbody tr").count() == int(figure)
        shot(admin, "drill-cases.png")

        admin.goto(f"{live_server.url}/reports/trends/?month=2026-03")
        admin.wait_for_selector("#chart-month canvas")
        expect(admin.locator("text=各镇收件")).to_be_visible()
        shot(admin, "trends.png")


def test_department_view_in_the_browser(live_server: Any, browser: Any, hall: Any) -> None:
    """GOV-2: the 部门联络员's page shows its overdue cases, its cases with where they wait, coverage."""
    from govhall.accounts.models import Role
    from tests.factories import UserFactory

    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=True) as traveller:
        flow = make_flow(hall)
        scene = Scene(flow=flow)
        late = scene.open_case()
        scene.open_case(name="李四")
        scene.finished_case()
        late.refresh_from_db()
        traveller.move_to(late.due_at + dt.timedelta(hours=2))
        liaison = UserFactory(
            unit_kind="department", centre=None, department=flow.department, roles=[Role.DEPT_LIAISON]
        )
        page = session_page(browser, live_server, liaison)
        page.goto(f"{live_server.url}/reports/department/")
        expect(page.locator("h1")).to_contain_text("启东市民政局")
        expect(page.locator("text=红牌 超期").first).to_be_visible()
        shot(page, "department.png")
