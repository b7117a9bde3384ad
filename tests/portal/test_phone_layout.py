"""The portal on a phone (issue 16, NET-1/SCOPE-4): at 375×812 and 800×1280 no element sticks out of the
viewport or out of its card, on the public pages and the account pages; axe-core finds nothing serious."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.portal.conftest import PASSWORD
from tests.portal.test_browser import axe_violations, make_page  # noqa: F401 (the fixture, shared)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/wt/shots/portal-phone")
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


@pytest.mark.parametrize("device", [PHONE, PAD], ids=["375x812", "800x1280"])
def test_nothing_sticks_out_of_the_screen_or_its_card(
    live_server: Any,
    make_page: Any,  # noqa: F811
    world: Any,
    make_citizen: Any,
    device: dict[str, Any],
) -> None:
    """Issue 16 / NET-1: inputs and file pickers fit their cards; no page scrolls sideways on a phone or a pad,
    public and signed in; axe-core reports no serious or critical violation."""
    citizen = make_citizen(mobile="13962807777")
    page = make_page(**device, bypass_csp=True)
    base = live_server.url
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
    make_page: Any,  # noqa: F811
    world: Any,
    make_citizen: Any,
) -> None:
    """Issue 16 at 375×812: the guide shows materials before the folded administrative fields and is far
    shorter than the old 8,300 px; screenshots of the guide, catalogue, search results and 我的办件 are saved
    for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    citizen = make_citizen(mobile="13962808888")
    page = make_page(**PHONE)
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
    sign_in(page, base, citizen)
    page.goto(f"{base}/portal/my/cases/")
    page.screenshot(path=str(SHOTS / "my-cases-375.png"), full_page=True)
