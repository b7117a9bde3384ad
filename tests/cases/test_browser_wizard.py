"""MODE-1 in a real browser: a front-desk clerk calls a ticket, walks the window wizard (window → ticket →
matter → applicant → checklist), receives the case, accepts it and opens the 受理通知书 (ORG-4)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import Case, CaseStatus
from govhall.core.documents import pdf_text
from govhall.queueing import services as queue
from govhall.queueing.models import QueueSettings
from tests.cases.conftest import ID_ZHANG, make_flow
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_walks_the_window_wizard_from_ticket_to_acceptance_notice(live_server, page, hall):
    flow = make_flow(hall)
    window = hall.windows["minsheng"]
    QueueSettings.objects.create(
        centre=hall.town, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59)
    )
    ticket = queue.ticket_issue(centre=hall.town, matter_id=flow.matter.pk).ticket
    queue.window_open(window=window, by=hall.front_desk)
    assert queue.ticket_call_next(window=window, by=hall.front_desk) == ticket

    page.goto(f"{live_server.url}/login/?next=/cases/new/")
    page.get_by_label("用户名").fill(hall.front_desk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/cases/new/")

    page.get_by_label("收件窗口").select_option(str(window.pk))  # htmx loads the 民生 matters
    page.wait_for_selector("#matter option:has-text('最低生活保障申请')", state="attached")
    page.get_by_label("排队号（当前在窗口办理的号）").select_option(str(ticket.pk))
    page.get_by_label("办理事项").select_option(str(flow.matter.pk))  # htmx loads the checklist
    page.wait_for_selector("text=居民户口簿")
    page.get_by_label("申请人名称").fill("张三")
    page.get_by_label("证件号码", exact=True).fill(ID_ZHANG)
    page.get_by_label("联系电话（手机）").fill("13800138000")
    page.get_by_label("近期免冠照片 收取情况").select_option("missing")
    page.get_by_role("button", name="收件并生成办件编号").click()

    page.wait_for_selector("h1 .case-number")
    case = Case.objects.get()
    assert page.locator("h1 .case-number").inner_text() == case.number
    assert case.ticket == ticket and case.window == window and case.status == CaseStatus.RECEIVED
    assert "已收件" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="受理并出具受理通知书").click()  # htmx swaps the case body
    link = page.get_by_role("link", name="受理通知书 PDF")
    link.wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.PROCESSING
    assert "办理中" in page.locator("#case-status").inner_text()
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "受理通知书" in text and case.number in text and hall.town.name + "（盖章）" in text
    assert case.query_password in text
