"""A front-desk clerk finds a matter by pinyin initials as they type, then opens its public guide (SCOPE-1,
SCOPE-4)."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

WAIT = 10_000  # ms: the test box is shared, give htmx time under load


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_clerk_types_pinyin_initials_and_opens_the_guide(live_server, page, hall, make_matter):
    from playwright.sync_api import expect

    make_matter(name="最低生活保障申请")
    make_matter(name="居住证申领", department="GA", category="social_management")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login/?next=/catalog/")
    page.fill("#id_username", hall.front_desk.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("事项清单", timeout=WAIT)
    expect(page.locator("#results tbody tr")).to_have_count(2, timeout=WAIT)
    page.locator("#q").press_sequentially("dbsq", delay=30)  # htmx swaps the results while typing
    expect(page.locator("#results tbody tr")).to_have_count(1, timeout=WAIT)
    expect(page.locator("#results")).to_contain_text("最低生活保障申请", timeout=WAIT)
    expect(page).to_have_url(re.compile(r"q=dbsq"), timeout=WAIT)
    page.click("#results a")
    expect(page.locator("h1")).to_contain_text("最低生活保障申请", timeout=WAIT)
    page.click("text=办事指南")
    expect(page.locator("h1")).to_have_text("最低生活保障申请 · 办事指南", timeout=WAIT)
    expect(page.locator(".qr svg")).to_be_visible(timeout=WAIT)
    assert errors == []
