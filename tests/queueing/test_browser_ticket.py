"""SITE-7 自助取号: the printed ticket is a real 80 mm page (Chromium printed `size: 80mm auto` as US
Letter), one page long, with the priority mark, the 过号 rule and the complaint phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from govhall.queueing import services
from govhall.queueing.models import QueueSettings
from tests.browser_layout import SHOTS, pdf_to_png
from tests.queueing.conftest import MORNING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MM = 72 / 25.4


@pytest.fixture(autouse=True)
def clock():
    """A Tuesday morning in the hall; time runs (the live server, the event stream and the browser need it)."""
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height (pt) of every page of a PDF, from its /MediaBox entries."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def test_ticket_prints_on_one_80mm_page(live_server, browser, hall, tmp_path):
    """The ticket's PDF (CSS page size honoured, as the kiosk's print dialog does) is 80 mm wide, one page."""
    centre = hall.town
    QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
    ticket = services.ticket_issue(
        centre=centre, group="minsheng", priority_reason="disabled", source="desk", by=hall.front_desk
    ).ticket
    context = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/queueing/t/{ticket.public_token}/print/?print=0")
        text = page.locator(".ticket80").inner_text()
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert ticket.code in text and "优先" in text
    assert "过号" in text and f"投诉电话：{centre.complaint_phone}" in text
    pages = media_boxes(pdf)
    assert len(pages) == 1, pages
    width, height = pages[0]
    assert abs(width - 80 * MM) < 1  # 226.77 pt
    assert abs(height - 160 * MM) < 1
    out = tmp_path / "ticket.pdf"
    out.write_bytes(pdf)
    pdf_to_png(out, SHOTS / "ticket-80mm")
