"""SCOPE-4 / NET-1 with issue 15: the public guide's matter part is cached, and a visitor never sees a stale
guide — a new version, a suspension, a cancellation, a centre assigned, removed or edited shows on the very
next request; the cached page is the page built afresh; a warm guide costs one query (today's queue, which
stays live); nothing of one visitor's page reaches another's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from govhall.catalog import services as catalog
from govhall.queueing.services import ticket_issue
from tests.portal.conftest import citizen_client, publish_new_conditions

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def guide(client: Client, matter: Any) -> str:
    response = client.get(f"/portal/guide/{matter.code}/")
    assert response.status_code == 200
    return response.content.decode()


def warm(client: Client, matter: Any) -> str:
    guide(client, matter)
    return guide(client, matter)


def without_csrf(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh for every response."""
    return CSRF.sub(r"\1-", html)


def test_a_new_version_shows_its_text_at_once(client: Client, world: Any) -> None:
    """SCOPE-4: the bureau publishes a change; the next visitor reads the new version, not the cached one."""
    before = warm(client, world.dibao)
    assert "家庭人均收入低于当地最低生活保障标准。" in before
    publish_new_conditions(world.dibao)
    after = guide(client, world.dibao)
    assert "且家庭财产符合规定。" in after
    assert "第 2 版" in after and "第 1 版" not in after


def test_suspension_and_cancellation_show_at_once(client: Client, world: Any) -> None:
    """A suspended matter says so and offers no application on the next request; a cancelled one is gone."""
    assert "网上申请</a>" in warm(client, world.dibao)
    catalog.matter_suspend(actor=None, matter=world.dibao, reason="系统升级")
    html = guide(client, world.dibao)
    assert "暂停办理" in html and "网上申请</a>" not in html
    catalog.matter_cancel(actor=None, matter=world.dibao, reason="并入其他事项")
    assert client.get(f"/portal/guide/{world.dibao.code}/").status_code == 404


def test_centre_changes_show_at_once(client: Client, world: Any) -> None:
    """Where to go follows the bureau at once: a centre's new address, a village assigned, then removed."""
    warm(client, world.dibao)
    world.town.address = "启东市吕四港镇新港路8号"
    world.town.save()
    assert "启东市吕四港镇新港路8号" in guide(client, world.dibao)
    village_name = world.village.division.name
    assert village_name not in guide(client, world.dibao)
    catalog.centre_matter_assign(actor=None, centre=world.village, matter=world.dibao)
    assert village_name in guide(client, world.dibao)
    catalog.centre_matter_remove(actor=None, centre=world.village, matter=world.dibao, reason="调整")
    assert village_name not in guide(client, world.dibao)


def test_the_cached_page_is_the_page_built_afresh(client: Client, world: Any) -> None:
    """The warm page (from the cache) is byte for byte the page rendered with no cache at all."""
    no_cache = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    for matter in (world.dibao, world.water, world.village_matter):
        cached = without_csrf(warm(client, matter))
        with override_settings(CACHES=no_cache):
            fresh = without_csrf(guide(client, matter))
        assert cached == fresh
        assert matter.current_version.name in cached
    assert world.village.division.name in cached  # the village matter's links, from the cache


def test_a_warm_guide_makes_no_query_and_its_queue_stays_live(
    client: Client, world: Any, clock: Any, django_assert_num_queries: Any
) -> None:
    """NET-1: a warm anonymous guide reads nothing from the database (the whole page is cached); today's
    waiting count comes from the guide's live fragment, one query, and a new ticket shows there within the
    fragment's few seconds."""
    warm(client, world.dibao)
    with django_assert_num_queries(0):
        guide(client, world.dibao)
    fragment = f"/portal/guide/{world.dibao.code}/waiting/"
    client.get(fragment, HTTP_HX_REQUEST="true")  # the windows, from the queue's memory once warm
    clock.shift(dt.timedelta(seconds=5))
    with django_assert_num_queries(1):
        html = client.get(fragment, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r"当前排队：<strong>0</strong> 人等候", html)
    with django_assert_num_queries(0):  # the same few seconds: the counts are kept
        client.get(fragment, HTTP_HX_REQUEST="true")
    ticket_issue(centre=world.town, matter_id=world.dibao.pk)
    clock.shift(dt.timedelta(seconds=5))
    assert re.search(
        r"当前排队：<strong>1</strong> 人等候", client.get(fragment, HTTP_HX_REQUEST="true").content.decode()
    )


def test_one_visitors_account_never_reaches_anothers_page(
    client: Client, world: Any, make_citizen: Any
) -> None:
    """Nothing personal is cached: an enterprise's notice is not shown to the anonymous visitor after it, and
    the anonymous page shown first does not hide the notice from the enterprise."""
    anonymous = Client()
    assert "企业不能申请" in warm(anonymous, world.dibao)
    enterprise = make_citizen(kind="enterprise", mobile="13962800019", real_name="张海")
    citizen_client(client, enterprise)
    page = guide(client, world.dibao)
    name = enterprise.display_name
    assert "您当前登录的是企业账户" in page and name in page
    again = guide(anonymous, world.dibao)
    assert "您当前登录的是企业账户" not in again and name not in again and "企业不能申请" in again
