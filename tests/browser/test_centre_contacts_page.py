"""The bureau's one page for every centre's address and phones (SCOPE-4, ORG-4), at the staff viewport:
every centre listed, nothing sticks out of the page, a change is saved and the centre shows 齐全."""

from __future__ import annotations

import os
from typing import Any

import pytest

from govhall.orgs.models import CONTACT_PLACEHOLDER, Centre
from tests.browser.test_refusals_visible import STAFF, _fixed_clock, staff_login  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(open_page: Any) -> Any:
    return open_page(STAFF)


def test_scope4_bureau_fills_a_town_hall_contacts_on_one_page(staff_page: Any, live_server: Any, hall: Any):
    Centre.objects.filter(pk=hall.town.pk).update(address=CONTACT_PLACEHOLDER, phone=CONTACT_PLACEHOLDER)
    page = staff_page
    staff_login(page, live_server, hall.bureau_admin, "/orgs/contacts/")
    for centre in (hall.town, hall.village, hall.other_village):
        assert page.get_by_role("link", name=centre.name).count() == 1
    assert page.locator("tr", has_text=hall.town.name).get_by_text("缺地址、咨询电话").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    if os.environ.get("GOVHALL_SHOTS"):
        page.screenshot(path=f"{os.environ['GOVHALL_SHOTS']}/contacts-before.png", full_page=True)
    page.get_by_label(f"{hall.town.name}地址").fill("启东市吕四港镇港城路100号")
    page.get_by_label(f"{hall.town.name}咨询电话").fill("0513-83123456")
    page.get_by_role("button", name="保存修改").click()
    page.get_by_text("已保存 1 个中心的联系信息。").wait_for()
    assert page.locator("tr", has_text=hall.town.name).get_by_text("齐全").count() == 1
    if os.environ.get("GOVHALL_SHOTS"):
        page.screenshot(path=f"{os.environ['GOVHALL_SHOTS']}/contacts-after.png", full_page=True)
    hall.town.refresh_from_db()
    assert hall.town.phone == "0513-83123456"
