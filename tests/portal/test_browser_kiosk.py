"""SITE-3 / SITE-7 the hall's one kiosk at its 1080×1920 portrait screen, step by step (start, ticket
class, confirm, the printed ticket, appointment check-in, tracking, guides), in standard and 长辈版 large
text: nothing leaves the screen or overlaps, axe-core finds nothing serious or critical, and the ticket
prints on an 80 mm page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govhall.core import events
from tests.browser_layout import SHOTS, axe_serious, layout_problems, pdf_to_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
KIOSK = {
    "viewport": {"width": 1080, "height": 1920},
    "has_touch": True,
    "locale": "zh-CN",
    "bypass_csp": True,
}
BOXES = (
    ".kiosk-bar > *, main h1, main h2, .kiosk-hours, .big li a, main .card, .actions > *, main table,"
    " main label, main input, main button, .ticket-sheet, .site-footer"
)
MM = 72 / 25.4


def check(page: Any, name: str, problems: dict[str, Any]) -> None:
    page.screenshot(path=str(SHOTS / f"kiosk-{name}.png"), full_page=True)
    found = layout_problems(page, BOXES) + [f"axe {v['id']}: {v['nodes']}" for v in axe_serious(page)]
    if found:
        problems[name] = found


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def test_kiosk_steps_fit_the_portrait_screen_in_standard_and_large_text(
    live_server: Any, browser: Any, world: Any, clock: Any, tmp_path: Any
) -> None:
    base = f"{live_server.url}/portal/kiosk/{world.town.division.code}/"
    context = browser.new_context(**KIOSK)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: dict[str, Any] = {}
    try:
        for mode in ("standard", "large"):
            page.goto(base)
            if mode == "large":
                page.get_by_role("button", name="长辈版 大字").click()
                assert "large" in (page.locator("html").get_attribute("class") or "")
            assert "取号时间：08:30—17:30" in page.locator(".kiosk-hours").inner_text()
            check(page, f"{mode}-1-home", problems)
            page.get_by_role("link", name="取号排队").click()
            check(page, f"{mode}-2-ticket-class", problems)
            page.locator(".big a").first.click()
            check(page, f"{mode}-3-ticket-confirm", problems)
            page.get_by_role("button", name="确认取号").click()
            page.wait_for_selector(".ticket80")
            check(page, f"{mode}-4-ticket", problems)
            if mode == "standard":
                text = page.locator(".ticket80").inner_text()
                assert "过号" in text and "投诉电话" in text
                pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                boxes = re.findall(rb"/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
                assert len(boxes) == 1 and abs(float(boxes[0][0]) - 80 * MM) < 1, boxes
                out = tmp_path / "kiosk-ticket.pdf"
                out.write_bytes(pdf)
                pdf_to_png(out, SHOTS / "kiosk-ticket-80mm")
            page.goto(base + "checkin/")
            check(page, f"{mode}-5-checkin", problems)
            page.get_by_label("预约码或预约时填写的身份证号码").fill("NOSUCH01")
            page.get_by_role("button", name="签到取号").click()
            assert "预约码不正确" in page.locator(".alert").inner_text()
            check(page, f"{mode}-6-checkin-error", problems)
            page.goto(base + "track/")
            check(page, f"{mode}-7-track", problems)
            page.goto(base + "guides/?q=dbsq")
            check(page, f"{mode}-8-guides", problems)
            page.get_by_role("link", name="最低生活保障申请").click()
            check(page, f"{mode}-9-guide", problems)
    finally:
        context.close()
        events.close_all_subscriptions()
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
