"""NET-1: the centres directory; NET-3: information disclosure for the city and for each centre (policies
including the notice, matters with promised limits and fees, complaint and supervision phones, the
好差评 summary hook)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from govhall.portal import seed
from govhall.portal.models import Policy, Theme, ThemeMatter

pytestmark = pytest.mark.django_db


def test_directory_lists_towns_with_their_villages(client: Client, world: Any) -> None:
    html = client.get("/portal/centres/").content.decode()
    assert world.town.name in html and "启东市吕四港镇鹤城北路1号" in html
    assert world.village.division.name in html and f"/portal/centres/{world.village.pk}/" in html


def test_directory_search_finds_a_village_under_its_town(client: Client, world: Any) -> None:
    html = client.get("/portal/centres/", {"q": world.village.division.name}).content.decode()
    assert world.town.name in html and world.village.division.name in html
    assert world.other_village.division.name not in html


def test_centre_page_shows_address_hours_windows_and_matters(client: Client, world: Any) -> None:
    html = client.get(f"/portal/centres/{world.town.pk}/").content.decode()
    for text in (
        "启东市吕四港镇鹤城北路1号",
        world.town.opening_hours,
        "0513-83210000",
        "民生综合窗口",
        "最低生活保障申请",
        "居民生活用水报装",
        "今日排队",
    ):
        assert text in html, text
    assert "高龄津贴申领代办" not in html  # served in the village, not here


def test_closed_centre_is_not_public(client: Client, world: Any) -> None:
    world.other_village.is_active = False
    world.other_village.save()
    assert client.get(f"/portal/centres/{world.other_village.pk}/").status_code == 404
    assert client.get(f"/portal/disclosure/centres/{world.other_village.pk}/").status_code == 404
    assert client.get("/portal/centres/999999/").status_code == 404


def test_city_disclosure_lists_policies_matters_limits_fees_and_phones(client: Client, world: Any) -> None:
    """NET-3: the city page: the notice, every matter with promised limit and fee, the complaint phone."""
    html = client.get("/portal/disclosure/").content.decode()
    for text in (
        "启政办发〔2020〕37号",
        "最低生活保障申请",
        "20个工作日",
        "居民生活用水报装",
        "收费：120.00元",
        "高龄津贴申领代办",
        "12345",
    ):
        assert text in html, text
    assert "吕四港镇为民服务中心延时服务公告" not in html  # a centre's own policy is on its page


def test_centre_disclosure_adds_its_own_policies_and_phones(client: Client, world: Any) -> None:
    """NET-3: per centre: city policies plus its own, its matters, its complaint and supervision phones."""
    html = client.get(f"/portal/disclosure/centres/{world.town.pk}/").content.decode()
    for text in (
        "启政办发〔2020〕37号",
        "吕四港镇为民服务中心延时服务公告",
        "0513-83219999",
        "0513-12345",
        "最低生活保障申请",
        "居民生活用水报装",
        "3个工作日",
    ):
        assert text in html, text
    assert "其他中心的公告" not in html and "高龄津贴申领代办" not in html


def test_rating_figures_are_published_per_centre(client: Client, world: Any) -> None:
    """NET-3: the centre page shows this year's 好差评 figures (none yet) and links to the full summary; the city
    page points to the centres' pages."""
    html = client.get(f"/portal/disclosure/centres/{world.town.pk}/").content.decode()
    assert re.search(r"<dt>评价总数</dt><dd>0</dd>", html) and f"/reviews/public/{world.town.pk}/" in html
    html = client.get("/portal/disclosure/").content.decode()
    assert "好差评情况" in html and "在各中心的信息公开页公示" in html


def test_policy_page_shows_the_full_text_and_hides_withdrawn_ones(client: Client, world: Any) -> None:
    html = client.get(f"/portal/disclosure/policies/{world.notice.pk}/").content.decode()
    assert "一、工作目标" in html and "启东市人民政府办公室" in html
    Policy.objects.filter(pk=world.notice.pk).update(is_active=False)
    assert client.get(f"/portal/disclosure/policies/{world.notice.pk}/").status_code == 404
    assert "启政办发〔2020〕37号" not in client.get("/portal/disclosure/").content.decode()


def test_builtin_seed_publishes_the_notice_in_full_and_the_themes(world: Any) -> None:
    """NET-3: the notice 启政办发〔2020〕37号 ships as a city policy; SCOPE-4/NET-1: life-event themes ship too."""
    Policy.objects.all().delete()
    Theme.objects.all().delete()
    seed.load_builtin()
    seed.load_builtin()  # idempotent
    notice = Policy.objects.get(doc_number="启政办发〔2020〕37号")
    assert notice.centre is None and "为民服务中心" in notice.body and "便民服务中心" in notice.body
    assert notice.body == (seed.DATA / "qidong-notice-2020-37.txt").read_text(encoding="utf-8").strip()
    assert "一个机构管审批（服务），一枚印章管审批（服务）" in notice.body
    assert set(Theme.objects.values_list("name", flat=True)) >= {
        "生育",
        "上学",
        "就业",
        "养老",
        "残疾人",
        "建房",
        "开办个体工商户",
        "社会救助",
    }
    # The test catalogue has 最低生活保障申请: it is linked to 社会救助; unknown names are skipped.
    assert ThemeMatter.objects.filter(theme__slug="shehuijiuzhu", matter=world.dibao).exists()
    assert Policy.objects.filter(doc_number="启政办发〔2020〕37号").count() == 1
