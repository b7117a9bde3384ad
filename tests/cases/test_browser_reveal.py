"""Issue 13, hole 2 in a real browser (1920×1080): the front desk opens a case, sees the applicant masked and
the 显示完整 button; one click (htmx) shows the whole numbers and says the view was recorded. A department
liaison sees the same case masked, with no button."""

from __future__ import annotations

import os

import pytest

from govhall.accounts.models import Role
from govhall.cases.services import case_accept
from govhall.core.models import AuditEntry
from tests.cases.conftest import ID_ZHANG, make_flow, receive
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("GOVHALL_SCREENSHOTS", "")


def _login(page, url, user):
    page.goto(f"{url}/login/?next=/cases/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/cases/")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


@pytest.fixture
def wide_page(open_page):
    return open_page({"width": 1920, "height": 1080})


def test_front_desk_reveals_with_one_click_and_a_liaison_has_no_button(
    live_server, wide_page, open_page, hall
):
    flow = make_flow(hall)
    case = case_accept(case=receive(flow), actor=flow.front_desk)
    page = wide_page
    _login(page, live_server.url, flow.front_desk)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "110101********1233" in page.locator("#applicant-id").inner_text()
    _shot(page, "front-desk-masked")
    page.get_by_role("button", name="显示完整证件号码和电话（留痕）").click()
    page.wait_for_selector(f"#applicant-id:has-text('{ID_ZHANG}')")
    assert page.locator("#applicant-phone").inner_text() == "13800138000"
    assert page.get_by_text("本次查看已记录").is_visible()
    _shot(page, "front-desk-revealed")
    assert AuditEntry.objects.filter(action="pii.view", actor=flow.front_desk).count() == 1

    liaison = UserFactory(
        unit_kind="department",
        centre=None,
        department=flow.department,
        roles=[Role.DEPT_LIAISON],
        full_name="刘联络",
    )
    other = open_page({"width": 1920, "height": 1080})
    _login(other, live_server.url, liaison)
    other.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "110101********1233" in other.locator("#applicant-id").inner_text()
    assert other.get_by_role("button", name="显示完整证件号码和电话（留痕）").count() == 0
    assert ID_ZHANG not in other.content()
    _shot(other, "liaison-masked")
