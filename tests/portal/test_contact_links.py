"""Issue 16 (NET-3, SITE-7): complaint, supervision and consultation phones are `tel:` links a phone can dial;
a centre page lists address, location note, phone and opening hours, and missing data reads 「暂未公布」, not a
dash."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from govhall.portal.templatetags.portal import tel

pytestmark = pytest.mark.django_db


def test_phone_numbers_become_dialable_links() -> None:
    assert tel("0513-83210000") == '<a href="tel:051383210000">0513-83210000</a>'
    assert tel("12345、0513-83219999").startswith('<a href="tel:12345">')
    assert tel("") == "暂未公布" and tel(None) == "暂未公布"
    assert tel("<b>") == "&lt;b&gt;"


def test_centre_page_lists_contacts_with_tel_links(client: Client, world: Any) -> None:
    """SITE-7: address, location note, hours, phones (tel: links) on the centre page."""
    world.town.location_note = "镇政府大院东侧一楼，公交3路鹤城站下车"
    world.town.save()
    html = client.get(f"/portal/centres/{world.town.pk}/").content.decode()
    assert "启东市吕四港镇鹤城北路1号" in html and "公交3路鹤城站下车" in html and "办公时间" in html
    assert 'href="tel:051383210000"' in html and 'href="tel:051383219999"' in html
    assert html.count('href="tel:') >= 3  # consultation, complaint, supervision


def test_missing_centre_data_reads_not_yet_published(client: Client, world: Any) -> None:
    world.village.address = world.village.phone = world.village.supervision_phone = ""
    world.village.save()
    html = client.get(f"/portal/centres/{world.village.pk}/").content.decode()
    facts = html[html.index('id="c-info"') : html.index('id="c-queue"')]
    assert facts.count("暂未公布") >= 3 and "<dd>—</dd>" not in facts


def test_disclosure_and_guide_phones_are_links(client: Client, world: Any) -> None:
    """NET-3: the complaint and supervision phones on the disclosure page and the guide can be dialled."""
    html = client.get("/portal/disclosure/").content.decode()
    assert 'href="tel:' in html[html.index("投诉") :]
    html = client.get(f"/portal/disclosure/centres/{world.town.pk}/").content.decode()
    assert 'href="tel:051383219999"' in html and "咨询电话</dt><dd>—" not in html
    html = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    where = html[html.index('id="where-h"') :]
    assert 'href="tel:051383210000"' in where and '监督电话：<a href="tel:' in where


def test_the_unreplaced_placeholder_reads_not_yet_published_on_every_public_page(
    client: Client, world: Any
) -> None:
    """Issue 16 (SITE-7): a centre whose address and hours are still the built-in 「（待填写）」 shows 「暂未公布」
    to the public — on the centre page, the centre list and the matter's guide — never the placeholder."""
    world.town.address = world.town.opening_hours = "（待填写）"
    world.town.save()
    for path in (
        f"/portal/centres/{world.town.pk}/",
        "/portal/centres/",
        f"/portal/guide/{world.dibao.code}/",
    ):
        html = client.get(path).content.decode()
        assert "待填写" not in html, path
        assert "暂未公布" in html, path
