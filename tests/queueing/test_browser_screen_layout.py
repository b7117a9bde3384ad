"""SITE-7 电子显示屏 at the hall's 1920×1080: up to 30 window cards fit without overlap, the voice button
goes away once voice is on, the clock shows Beijing time on a PC set to another zone, NET-3's complaint and
supervision phones stay on screen, axe-core finds nothing serious; and the offline voice: headless Chromium
has no Chinese voice, so a call is played from govhall's pre-recorded clips."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from govhall.core import events
from govhall.orgs.models import WindowClass
from govhall.queueing import services
from govhall.queueing.models import QueueSettings
from tests.browser_layout import SHOTS, axe_serious, layout_problems
from tests.factories import WindowFactory
from tests.queueing.conftest import MORNING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = {"viewport": {"width": 1920, "height": 1080}, "locale": "zh-CN", "bypass_csp": True}
BOXES = ".scr-window, .scr-head, .scr-calls, #scr-queues, .scr-foot, #speech-unlock"


@pytest.fixture(autouse=True)
def clock():
    """A Tuesday morning in the hall; time runs (the live server, the event stream and the browser need it)."""
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def hall_with_windows(hall: Any, count: int) -> Any:
    """The persona hall's four windows plus more up to `count`: some serving, one paused, the rest closed."""
    centre = hall.town
    centre.supervision_phone = "0513-83312345"
    centre.save(update_fields=["supervision_phone"])
    QueueSettings.objects.create(centre=centre, opening_time=dt.time(0, 0), closing_time=dt.time(23, 59, 59))
    classes = [WindowClass.MINSHENG, WindowClass.JIANSHE, WindowClass.SHIZHENG, WindowClass.QITA]
    for number in range(5, count + 1):
        WindowFactory(centre=centre, number=number, window_class=classes[number % 4])
    windows = list(centre.windows.order_by("number"))
    for window in windows[: min(count, 6)]:
        services.window_open(window=window, by=hall.front_desk)
    services.window_pause(window=windows[1], reason="meeting", by=hall.front_desk)
    return centre


def open_screen(browser: Any, url: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(**{**SCREEN, **options})
    page = context.new_page()
    page.set_default_timeout(10000)
    page.goto(url)
    page.wait_for_selector("#screen[data-ready='1']")
    return context, page


@pytest.mark.parametrize("count", [10, 20, 30])
def test_screen_lays_out_up_to_thirty_windows_without_overlap(live_server, browser, hall, count):
    """SITE-7: at 1920×1080 no window card overlaps another card, the recent calls, the queue bar or the
    notice line, and nothing leaves the screen; axe-core: 0 serious/critical (closed cards included)."""
    centre = hall_with_windows(hall, count)
    context, page = open_screen(browser, f"{live_server.url}/queueing/screen/{centre.pk}/")
    try:
        assert page.locator(".scr-window").count() == count
        page.screenshot(path=str(SHOTS / f"screen-{count}-windows.png"))
        assert layout_problems(page, BOXES) == []
        assert page.evaluate("document.documentElement.scrollHeight") <= 1080
        assert axe_serious(page) == []
    finally:
        context.close()
        events.close_all_subscriptions()


def test_voice_button_hides_once_voice_is_on(live_server, browser, hall):
    """The 「点击开启语音播报」 button is really gone after the click (it used to stay on screen)."""
    centre = hall_with_windows(hall, 4)
    context, page = open_screen(browser, f"{live_server.url}/queueing/screen/{centre.pk}/")
    try:
        button = page.get_by_role("button", name="点击开启语音播报")
        expect(button).to_be_visible()
        button.click()
        expect(page.locator("#speech-unlock")).to_be_hidden()
        assert page.locator("#speech-unlock").bounding_box() is None  # not painted: no box at all
    finally:
        context.close()
        events.close_all_subscriptions()


def test_clock_shows_beijing_time_on_a_pc_set_to_new_york(live_server, browser, hall):
    """The display PC's zone is America/New_York; the clock still shows Asia/Shanghai time."""
    centre = hall_with_windows(hall, 4)
    context, page = open_screen(
        browser, f"{live_server.url}/queueing/screen/{centre.pk}/", timezone_id="America/New_York"
    )
    try:
        assert page.evaluate("new Date().getTimezoneOffset()") in (240, 300)  # the PC really is in New York
        expect(page.locator("#scr-clock")).to_contain_text("星期")
        shown = page.locator("#scr-clock").inner_text()
        now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
        match = re.search(r"(\d{4})年(\d+)月(\d+)日 星期. (\d\d):(\d\d)", shown)
        assert match, shown
        on_screen = dt.datetime(*map(int, match.groups()), tzinfo=now.tzinfo)
        assert abs((on_screen - now.replace(second=0, microsecond=0)).total_seconds()) <= 120
    finally:
        context.close()
        events.close_all_subscriptions()


def test_complaint_and_supervision_phones_stay_while_notices_rotate(live_server, browser, hall):
    """NET-3: the complaint and supervision phones are always on screen; they are not in the rotation."""
    centre = hall_with_windows(hall, 4)
    context, page = open_screen(browser, f"{live_server.url}/queueing/screen/{centre.pk}/")
    try:
        phones = page.locator("#scr-phones")
        expect(phones).to_contain_text(f"投诉电话：{centre.complaint_phone}")
        expect(phones).to_contain_text("监督电话：0513-83312345")
        assert "投诉电话" not in page.locator("#scr-notice").inner_text()
    finally:
        context.close()
        events.close_all_subscriptions()


def test_screen_without_a_chinese_voice_plays_the_call_from_clips(live_server, browser, hall):
    """Voice fallback: headless Chromium lists no voice, so in the default 「自动」 mode the call is played
    as the chime plus the clips 请 A 0 0 1 号到 一 号窗口办理, served by govhall."""
    centre = hall_with_windows(hall, 4)
    context, page = open_screen(browser, f"{live_server.url}/queueing/screen/{centre.pk}/")
    played: list[str] = []
    try:
        assert page.evaluate("speechSynthesis.getVoices().length") == 0
        page.evaluate("""() => {
            window.playedClips = [];
            HTMLAudioElement.prototype.play = function () {
                window.playedClips.push(new URL(this.src).pathname);
                setTimeout(() => this.dispatchEvent(new Event('ended')), 10);
                return Promise.resolve();
            };
        }""")
        ticket = services.ticket_issue(centre=centre, group="minsheng").ticket
        services.ticket_call_next(window=hall.windows["minsheng"], by=hall.front_desk)
        expect(page.locator("#announcer")).to_have_text(f"请{ticket.code}号到1号窗口办理")
        page.wait_for_function("window.playedClips.length >= 9")
        played = page.evaluate("window.playedClips")
    finally:
        context.close()
        events.close_all_subscriptions()
    names = [p.rsplit("/", 1)[1] for p in played]
    assert names == [f"{n}.ogg" for n in ["chime", "qing", "A", "d0", "d0", "d1", "hao_dao", "d1"]] + [
        "hao_chuangkou_banli.ogg"
    ]
    assert all(p.startswith("/static/queueing/voice/") for p in played)
    for path in played:  # every clip is really served
        assert live_client_get(live_server.url + path) == 200


def live_client_get(url: str) -> int:
    import httpx

    return httpx.get(url).status_code
