"""GOV-1 in Chromium at the hall's desk size (1920×1080): the director's 工单 board shows the 12345 work orders
beside the open 差评 work orders, nothing overflows, axe finds nothing serious; the order page too.
Screenshots are left in shots_dir("hotline") to look at."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from govhall.hotline import services
from govhall.reviews import services as reviews
from tests.browser.test_refusals_visible import staff_login
from tests.browser_layout import axe_serious, shots_dir
from tests.reviews.conftest import MORNING, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1920, "height": 1080}


@pytest.fixture
def clock() -> Any:
    # Time runs (tick=True): the live server and the browser need it to.
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def test_the_directors_board_at_1920(live_server, open_page, scene):
    code = scene.town.division.code
    titles = ["窗口排队时间长，无人引导", "社保卡补办要求重复提交材料", "咨询残疾人补贴办理条件"]
    for n, title in enumerate(titles, start=1):
        order, _ = services.order_receive(
            number=f"QD12345-20260310-{n:04d}",
            category=("complaint", "complaint", "consult")[n - 1],
            title=title,
            content=f"{title}。请尽快处理并回复。",
            citizen_name="赵六",
            citizen_phone="13600136000",
            centre_code=code if n < 3 else "",
        )
        if n == 1:
            services.order_assign(order=order, actor=scene.director, handler=scene.front_desk)
    for level in (5, 4):
        scene.rate_visit(scene.serve(), level=level, rater=reviews.Rater(phone=PHONE), text="等了很久")

    page = open_page(DESK, bypass_csp=True)  # bypass only for axe, which is injected inline
    page.set_default_timeout(60000)  # a loaded CI machine: the live server answers slowly, not wrongly
    staff_login(page, live_server, scene.director, "/hotline/")
    board = page.locator(".board")
    assert "12345热线工单" in board.inner_text() and "差评整改工单" in board.inner_text()
    assert page.locator("#h-hotline ~ table tbody tr").count() == 2  # the director's centre's two
    assert page.locator("#h-review ~ table tbody tr").count() == 2
    sections = page.locator(".board > section")
    left, right = sections.nth(0).bounding_box(), sections.nth(1).bounding_box()
    assert left and right and right["x"] > left["x"] + left["width"] - 1  # side by side
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESK["width"]
    assert axe_serious(page, ".board") == []
    shots = shots_dir("hotline")
    page.screenshot(path=str(shots / "board-1920.png"), full_page=True)

    page.get_by_role("link", name="QD12345-20260310-0001").click()
    page.wait_for_selector("#order-status")
    assert "办理中" in page.locator("#order-status").inner_text()
    assert "136****6000" in page.content() and "13600136000" not in page.content()
    page.screenshot(path=str(shots / "order-1920.png"), full_page=True)


def test_a_provisional_deadline_reads_as_such_on_the_board_and_the_order_page(
    live_server, open_page, scene, clock
):
    """STD-3 at 1920×1080: late December, 2027's holidays unknown: the 承办 deadline carries 「暂定」 on the
    board and the order page, with the line saying when it will be fixed; the title lines up with the board."""
    from tests.reviews.conftest import local

    clock.move_to(local(2026, 12, 28, 10, 0))
    order, _ = services.order_receive(
        number="QD12345-20261228-0001",
        category="complaint",
        title="年底办社保窗口排队时间长",
        content="年底办社保，排队一个多小时。",
        centre_code=scene.town.division.code,
    )
    services.order_assign(order=order, actor=scene.director, handler=scene.front_desk)

    page = open_page(DESK)
    page.set_default_timeout(60000)
    staff_login(page, live_server, scene.director, "/hotline/")
    row = page.locator("#h-hotline ~ table tbody tr").first
    assert "2027-01-04" in row.inner_text() and row.locator(".provisional").inner_text() == "暂定"
    title, board = page.locator("h1").bounding_box(), page.locator(".board").bounding_box()
    assert title and board and abs(title["x"] - board["x"]) <= 2  # the title starts where the board starts
    shots = shots_dir("hotline")
    page.screenshot(path=str(shots / "board-provisional-1920.png"), full_page=True)
    page.get_by_role("link", name="QD12345-20261228-0001").click()
    page.wait_for_selector("#order-status")
    assert "2027年节假日安排公布后将重新核定" in page.locator(".provisional-note").inner_text()
    page.screenshot(path=str(shots / "order-provisional-1920.png"), full_page=True)
