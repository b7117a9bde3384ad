"""The 一件事 guide in Chromium, as a parent reads it on a phone (375×812) and as the hall screen shows it
(1920×1080): the answers re-filter the guide in place, nothing sticks out, axe-core finds nothing serious
(MODE-1, SCOPE-4, NET-1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_layout import shots_dir
from tests.portal.test_browser import axe_violations
from tests.portal.test_phone_layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def samples(db: Any) -> None:
    from govhall.catalog import seed as catalog_seed
    from govhall.onething import seed
    from govhall.orgs.models import Department
    from govhall.orgs.seed import DEPARTMENTS
    from tests.personas import make_hall

    for code, name, short in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "short_name": short})
    make_hall()
    catalog_seed.load_builtin()
    seed.load_builtin()


@pytest.mark.parametrize(
    "device",
    [
        {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
        {"viewport": {"width": 1920, "height": 1080}},
    ],
    ids=["375x812", "1920x1080"],
)
def test_scope4_answers_refilter_the_newborn_guide_in_place(
    live_server: Any,
    open_page: Any,
    samples: None,
    device: dict[str, Any],
) -> None:
    page = open_page(**device, bypass_csp=True)
    page.goto(f"{live_server.url}/one-thing/YJS-0001/")
    assert page.locator("#guide-body li").filter(has_text="按您的回答，无需办理").count() == 0
    page.get_by_role("group", name="是否为新生儿办理城乡居民医保参保").get_by_label("否").check()
    page.get_by_role("group", name="是否需要补办生育登记").get_by_label("否").check()
    skipped = page.locator("#guide-body li").filter(has_text="按您的回答，无需办理")
    skipped.nth(1).wait_for()
    assert skipped.count() == 2
    assert page.url.endswith("/one-thing/YJS-0001/")  # re-filtered in place, no page load
    assert "申请人居民身份证" not in page.locator("#guide-body table").inner_text()
    assert overflowing(page) == []
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.screenshot(
        path=str(shots_dir("onething") / f"guide-{device['viewport']['width']}.png"), full_page=True
    )
