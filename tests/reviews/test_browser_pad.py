"""STD-6 一次一评 in a real browser: the rating pad facing the visitor shows the clerk; the clerk finishes the
ticket (queue service, as the workbench does); the pad turns to the rating form over server-sent events; the
visitor taps and submits; the rating is stored on the ticket, clerk and window."""

from __future__ import annotations

import time

import pytest
import time_machine

from govhall.core import events
from govhall.reviews import services
from govhall.reviews.models import Rating
from tests.reviews.conftest import MORNING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    # Time runs (tick=True): the pad's server-sent event stream and the browser's timers need it to.
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def test_pad_asks_for_the_rating_right_after_the_clerk_finishes(live_server, browser, scene):
    from govhall.queueing import services as queue

    _pad, token = services.pad_pair(window=scene.window, actor=scene.director)
    ticket = scene.serve(finish=False)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(f"{live_server.url}/reviews/pad/{token}/")
        page.wait_for_selector("#pad[data-live='1']")  # the event stream is up
        assert page.locator(".clerk-name").inner_text() == "王晓燕"
        assert scene.front_desk.staff_no in page.locator(".clerk-no").inner_text()
        assert page.locator("#pad-form").count() == 0

        started = time.monotonic()
        queue.ticket_finish(window=scene.window, ticket_id=ticket.pk, by=scene.front_desk)
        # Faster than the 8-second poll: the finish event itself brought the form.
        page.wait_for_selector("#pad-form", timeout=6000)
        assert time.monotonic() - started < 6
        assert f"{ticket.code}号，请您对本次服务进行评价" in page.locator("#pad-form h1").inner_text()

        page.get_by_text("非常满意", exact=True).first.click()
        page.locator("input[name='aspect_attitude'][value='1']").check()
        page.get_by_label("意见或建议（选填）").fill("讲解很耐心")
        page.get_by_role("button", name="提交评价").click()
        page.wait_for_selector(".pad-thanks")
        assert "感谢您的评价" in page.locator(".pad-thanks").inner_text()
        # after a few seconds the pad goes back to the clerk's card
        page.wait_for_selector(".clerk-card", timeout=10000)
        assert page.locator("#pad-form").count() == 0
    finally:
        context.close()
        # End the pad's event stream now, while the test database is still there for its request thread.
        events.close_all_subscriptions()
        time.sleep(0.5)

    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.text) == ("pad", 1, "讲解很耐心")
    assert rating.ticket == ticket and rating.clerk == scene.front_desk and rating.window == scene.window
    assert rating.aspects == {"attitude": 1}


def test_pad_rating_choices_are_touch_targets_of_48px(live_server, browser, scene):
    """STD-6 on the 800×1280 pad: every overall and sub-rating choice is at least 48 × 48 px, nothing leaves
    the screen or overlaps, and axe-core finds nothing serious."""
    from tests.browser_layout import SHOTS, axe_serious, layout_problems

    _pad, token = services.pad_pair(window=scene.window, actor=scene.director)
    scene.serve(finish=True)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 800, "height": 1280}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(f"{live_server.url}/reviews/pad/{token}/")
        page.wait_for_selector("#pad-form")
        page.screenshot(path=str(SHOTS / "pad-800x1280.png"), full_page=True)
        targets = page.locator("#pad-form label.level, #pad-form label.aspect")
        assert page.locator("#pad-form label.aspect").count() >= 3
        small = []
        for i in range(targets.count()):
            box = targets.nth(i).bounding_box()
            if box["width"] < 48 or box["height"] < 48:
                small.append((targets.nth(i).inner_text(), box["width"], box["height"]))
        assert small == []
        assert layout_problems(page, "#pad-form label, #pad-form button, .clerk-card") == []
        assert axe_serious(page) == []
    finally:
        context.close()
        events.close_all_subscriptions()
        time.sleep(0.5)
