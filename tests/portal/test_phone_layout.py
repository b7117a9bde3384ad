"""The portal on a phone (issue 16, NET-1/SCOPE-4): at 375×812 and 800×1280 no element sticks out of the
viewport or out of its card, on the public pages and the account pages; axe-core finds nothing serious."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from tests.browser_layout import shots_dir
from tests.portal.conftest import PASSWORD
from tests.portal.test_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("portal-phone")
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
PAD = {"viewport": {"width": 800, "height": 1280}, "has_touch": True}

# Every visible element of <main>: its right edge inside the viewport and inside the card it sits in
# (elements inside a horizontally scrolling wrapper are measured against that wrapper instead).
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.visually-hidden, .skip')) continue;
    const scroller = el.parentElement && el.parentElement.closest('.table-wrap');
    if (scroller) continue;
    const card = el.parentElement && el.parentElement.closest('.card');
    const limit = card ? card.getBoundingClientRect().right : vw;
    if (r.right > Math.min(limit, vw) + 1 || r.left < -1) {
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(r.right)} limit=${Math.round(limit)}`);
    }
  }
  if (document.documentElement.scrollWidth > vw + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
  return out;
}"""


def overflowing(page: Any) -> list[str]:
    return page.evaluate(OVERFLOW_JS)


def serious_axe(page: Any) -> list[dict[str, Any]]:
    return [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]


def check_layout(page: Any, base: str, paths: list[str], problems: dict[str, Any]) -> None:
    """Visit each path; record what sticks out and what axe-core calls serious."""
    for path in paths:
        page.goto(base + path)
        if bad := overflowing(page):
            problems[path] = bad[:5]
        if bad := serious_axe(page):
            problems["axe " + path] = bad


def public_paths(world: Any) -> list[str]:
    return [
        "/portal/",
        "/portal/matters/",
        "/portal/matters/?q=低保",
        f"/portal/guide/{world.dibao.code}/",
        f"/portal/guide/{world.water.code}/",
        "/portal/themes/",
        "/portal/themes/shehuijiuzhu/",
        "/portal/centres/",
        f"/portal/centres/{world.town.pk}/",
        "/portal/disclosure/",
        f"/portal/disclosure/centres/{world.town.pk}/",
        "/portal/track/",
        "/portal/account/login/",
        "/portal/account/register/",
        "/portal/account/reset/",
    ]


def account_paths(world: Any) -> list[str]:
    return [
        "/portal/account/",
        "/portal/account/verify/",
        f"/portal/apply/{world.dibao.code}/",
        "/portal/my/cases/",
        "/portal/my/cases/link/",
    ]


def sign_in(page: Any, base: str, citizen: Any) -> None:
    page.goto(f"{base}/portal/account/login/")
    page.get_by_label("手机号码").fill(citizen.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/portal/account/")


def elder_mode(page: Any, base: str) -> None:
    """Switch the browser to 长辈版 the way a visitor does: the header button."""
    page.goto(f"{base}/portal/")
    page.get_by_role("button", name="长辈版").click()
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")


@pytest.mark.parametrize("mode", ["normal", "elder"])
@pytest.mark.parametrize("device", [PHONE, PAD], ids=["375x812", "800x1280"])
def test_nothing_sticks_out_of_the_screen_or_its_card(
    live_server: Any,
    open_page: Any,
    world: Any,
    make_citizen: Any,
    device: dict[str, Any],
    mode: str,
) -> None:
    """Issue 16 / NET-1: inputs and file pickers fit their cards; no page scrolls sideways on a phone or a pad,
    public and signed in, in the normal and the 长辈版 display; axe-core reports no serious or critical
    violation."""
    citizen = make_citizen(mobile="13962807777")
    page = open_page(**device, bypass_csp=True)
    base = live_server.url
    if mode == "elder":
        elder_mode(page, base)
    problems: dict[str, Any] = {}
    check_layout(page, base, public_paths(world), problems)
    sign_in(page, base, citizen)
    check_layout(page, base, account_paths(world), problems)
    assert problems == {}
    # The check itself works: a too-wide input in a card is reported.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<div class=card><input id=wide style=\"width:100%;max-width:none;padding:0 20px;box-sizing:content-box\"></div>')"
    )
    assert any("#wide" in line for line in overflowing(page))


def test_phone_screenshots_of_the_citizen_pages(
    live_server: Any,
    open_page: Any,
    world: Any,
    make_citizen: Any,
    make_matter: Any,
    spring_clock: Any,
) -> None:
    """Issue 16 at 375×812: the guide shows materials before the folded administrative fields and is far
    shorter than the old 8,300 px; screenshots of the guide, catalogue, search results and 我的办件 are saved
    for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    citizen = make_citizen(mobile="13962808888")
    page = open_page(**PHONE)
    base = live_server.url
    page.goto(f"{base}/portal/guide/{world.dibao.code}/")
    assert page.locator("details.guide-fields").get_attribute("open") is None
    materials_top = page.locator("#g-materials").bounding_box()["y"]
    assert materials_top < 812  # the materials start on the first screen
    assert page.evaluate("document.documentElement.scrollHeight") < 5000
    page.screenshot(path=str(SHOTS / "guide-375.png"), full_page=True)
    page.goto(f"{base}/portal/matters/")
    page.screenshot(path=str(SHOTS / "catalogue-375.png"), full_page=True)
    page.goto(f"{base}/portal/matters/?q=低保")
    page.screenshot(path=str(SHOTS / "search-375.png"), full_page=True)
    # A window case under the citizen's ID number and an appointment booked from a guide.
    from govhall.cases import services as cases
    from govhall.portal import services as portal
    from govhall.queueing.models import AppointmentSlot

    cases.case_receive(
        actor=world.front_desk,
        matter_id=world.dibao.pk,
        window_id=world.windows["minsheng"].pk,
        applicant={
            "kind": "person",
            "name": citizen.real_name,
            "id_type": "id_card",
            "id_number": citizen.id_number,
            "phone": citizen.mobile,
        },
        materials=[
            {"material_id": m.pk, "status": "received"} for m in world.dibao.current_version.materials.all()
        ],
    )
    birth = make_matter(
        name="生育登记", supports_appointment=True, window_class="minsheng", centres=(world.town,)
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    slot = AppointmentSlot.objects.create(
        centre=world.town,
        window_class="minsheng",
        date=tomorrow,
        start=dt.time(9),
        end=dt.time(10),
        capacity=3,
    )
    portal.appointment_book_for(citizen=citizen, matter=birth, centre_id=world.town.pk, slot_id=slot.pk)
    sign_in(page, base, citizen)
    page.goto(f"{base}/portal/my/cases/")
    page.screenshot(path=str(SHOTS / "my-cases-375.png"), full_page=True)
    page.goto(f"{base}/portal/my/appointments/")
    assert "生育登记" in page.content() and not overflowing(page)
    page.screenshot(path=str(SHOTS / "my-appointments-375.png"), full_page=True)
    page.goto(f"{base}/portal/guide/{birth.code}/book/")
    page.screenshot(path=str(SHOTS / "book-375.png"), full_page=True)
    pdf = page.request.get(f"{base}/portal/guide/{world.dibao.code}/notice-sheet.pdf")
    (SHOTS / "blank-notice-sheet.pdf").write_bytes(pdf.body())


def test_elder_mode_has_big_text_big_targets_a_simple_home_and_read_aloud(
    live_server: Any,
    open_page: Any,
    world: Any,
) -> None:
    """Issue 16 长辈版 (适老化) at 375×812: body text at least 24 px, every button, field and navigation link at
    least 48 px tall, a home page of the five most used matters plus tracking and ticket/appointment, and a
    read-aloud button that says so visibly when the device has no Chinese voice (headless Chromium has none)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = open_page(**PHONE)
    base = live_server.url
    elder_mode(page, base)
    page.goto(f"{base}/portal/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
    tiles = page.locator(".elder-tiles a")
    assert tiles.count() >= 5 + 2
    assert page.get_by_role("link", name="最低生活保障申请").is_visible()
    assert page.get_by_role("link", name="查询办件进度").is_visible()
    assert page.get_by_role("link", name=re.compile("手机取号")).is_visible()
    page.screenshot(path=str(SHOTS / "elder-home-375.png"), full_page=True)
    small = page.evaluate("""() => [...document.querySelectorAll(
          'main .btn, main button, main input, main select, .elder-tiles a, .site-nav a, .prefs button')]
        .filter(e => e.getBoundingClientRect().height > 0)
        .filter(e => e.getBoundingClientRect().height < 47.5)
        .map(e => e.textContent.trim() + ' ' + e.getBoundingClientRect().height)""")
    assert small == []
    page.get_by_role("button", name="朗读本页").click()
    page.get_by_text("没有可用的中文朗读语音").wait_for()
    for path in [f"/portal/guide/{world.dibao.code}/", "/portal/track/"]:
        page.goto(base + path)
        sizes = page.evaluate(
            "[...document.querySelectorAll('main p, main li, main dd')].map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 24, path
