"""NET-1 and SCOPE-4: finding a service (one search box, by category, department and life event) and its
public guide with materials, downloads, time limits, fees and where to go; pages that work without
JavaScript, with every control labelled."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from govhall.catalog import services as catalog

pytestmark = pytest.mark.django_db

# What a browser sends with a form posted from one of our own pages (the display switches check it).
SAME_SITE = {"HTTP_SEC_FETCH_SITE": "same-origin"}


class ControlAudit(HTMLParser):
    """Collects form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.forms: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append(a)
        if tag == "form":
            self.forms.append(a)


def unlabelled(html: str) -> list[dict[str, str]]:
    audit = ControlAudit()
    audit.feed(html)
    return [c for c in audit.controls if c.get("id") not in audit.label_for and not c.get("aria-label")]


def forms_of(html: str) -> list[dict[str, str]]:
    audit = ControlAudit()
    audit.feed(html)
    return audit.forms


def test_home_has_one_search_box_and_browse_entries(client: Client, world: Any) -> None:
    """NET-1: one search box; entries by theme, category and department."""
    html = client.get("/portal/").content.decode()
    assert html.count('type="search"') == 1
    assert "社会救助" in html and "/portal/themes/shehuijiuzhu/" in html
    assert "?category=public_service" in html and "?department=MZ" in html
    assert unlabelled(html) == []


def test_search_finds_a_matter_by_pinyin_initials(client: Client, world: Any) -> None:
    """SCOPE-4 / NET-1: the catalogue's search (words, code, pinyin initials) serves the public page."""
    html = client.get("/portal/matters/", {"q": "zdshbzsq"}).content.decode()
    assert "最低生活保障申请" in html and "居民生活用水报装" not in html
    html = client.get("/portal/matters/", {"q": "用水"}).content.decode()
    assert "居民生活用水报装" in html and "最低生活保障申请" not in html
    html = client.get("/portal/matters/", {"q": world.water.code}).content.decode()
    assert "居民生活用水报装" in html


def test_search_answers_htmx_with_the_result_list_only(client: Client, world: Any) -> None:
    response = client.get("/portal/matters/", {"q": "低保"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "最低生活保障申请" in html


def test_search_works_without_javascript(client: Client, world: Any) -> None:
    """The search form is a plain GET form: submitting it without htmx returns the full page."""
    html = client.get("/portal/").content.decode()
    search = next(f for f in forms_of(html) if f.get("role") == "search")
    assert search["method"] == "get" and search["action"] == "/portal/matters/"
    page = client.get(search["action"], {"q": "低保"}).content.decode()
    assert "<html" in page and "最低生活保障申请" in page


def test_browse_by_category_and_by_department(client: Client, world: Any) -> None:
    html = client.get("/portal/matters/", {"category": "living"}).content.decode()
    assert "居民生活用水报装" in html and "最低生活保障申请" not in html
    html = client.get("/portal/matters/", {"department": "MZ"}).content.decode()
    assert "最低生活保障申请" in html and "居民生活用水报装" not in html
    html = client.get("/portal/matters/", {"level": "6"}).content.decode()
    assert "高龄津贴申领代办" in html and "最低生活保障申请" not in html


def test_unknown_filter_values_are_ignored(client: Client, world: Any) -> None:
    response = client.get("/portal/matters/", {"category": "<script>", "level": "x"})
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_browse_by_life_event(client: Client, world: Any) -> None:
    """NET-1: 主题服务 is the bureau's mapping of matters to life events."""
    html = client.get("/portal/themes/").content.decode()
    assert "社会救助" in html
    html = client.get("/portal/themes/shehuijiuzhu/").content.decode()
    assert "最低生活保障申请" in html and "居民生活用水报装" not in html
    assert client.get("/portal/themes/no-such-theme/").status_code == 404
    world.theme.is_active = False
    world.theme.save()
    assert client.get("/portal/themes/shehuijiuzhu/").status_code == 404


def test_guide_shows_materials_limits_fees_and_where_to_go(client: Client, world: Any) -> None:
    """SCOPE-4: the published guide, with every material, the limits, the fee and the centres serving it."""
    html = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    for text in (
        "最低生活保障申请",
        world.dibao.code,
        "启东市民政局",
        "最低生活保障申请书",
        "居民户口簿",
        "家庭收入和财产状况声明",
        "20个工作日",
        "30个工作日",
        "不收费",
        "可容缺",
        "可告知承诺",
        "本人承诺家庭收入、财产状况真实",
        "家庭人均收入低于当地最低生活保障标准",
        world.town.name,
        "启东市吕四港镇鹤城北路1号",
        "0513-83210000",
        "网上申请",
    ):
        assert text in html, text
    assert f"/catalog/guide/{world.dibao.code}/pdf/" in html  # the catalogue's printable guide
    assert f"/catalog/guide/{world.dibao.code}/docx/" in html
    assert unlabelled(html) == []


def test_guide_of_a_window_only_matter_offers_no_online_application(client: Client, world: Any) -> None:
    html = client.get(f"/portal/guide/{world.water.code}/").content.decode()
    assert "收费：120.00元（按管径收取）" in html and "3个工作日" in html
    assert "网上申请</a>" not in html


def test_guide_lists_a_village_centre_for_a_village_matter(client: Client, world: Any) -> None:
    html = client.get(f"/portal/guide/{world.village_matter.code}/").content.decode()
    where = html.split("办理地点与时间")[1]
    assert f'href="/portal/centres/{world.village.pk}/">{world.village.division.name}</a>' in where
    assert "吕四港镇：1 个村（社区）可办理" in where and world.town.name not in where
    assert "即办" in html


def test_guide_of_a_matter_served_in_hundreds_of_villages_stays_light(client: Client, world: Any) -> None:
    """The guide of a village matter (about 340 village centres in Qidong) stays under 150 KB with assets,
    and its queries do not grow with the number of centres."""
    from tests.factories import VillageCentreFactory

    for _ in range(340):
        catalog.centre_matter_assign(
            actor=None, centre=VillageCentreFactory(parent=world.town), matter=world.village_matter
        )
    response = client.get(f"/portal/guide/{world.village_matter.code}/")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', response.content.decode())
    total = len(response.content) + sum(len(b"".join(client.get(a).streaming_content)) for a in assets)
    assert total < 150 * 1024, total
    assert "341 个村（社区）可办理" in response.content.decode()


def test_suspended_matter_shows_its_state_and_no_application(client: Client, world: Any) -> None:
    catalog.matter_suspend(actor=None, matter=world.dibao, reason="系统升级")
    html = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    assert "暂停办理" in html and "网上申请</a>" not in html
    search = client.get("/portal/matters/", {"q": "低保"}).content.decode()
    assert "最低生活保障申请" not in search


def test_cancelled_or_unknown_matter_has_no_guide(client: Client, world: Any) -> None:
    catalog.matter_cancel(actor=None, matter=world.water, reason="并入其他事项")
    assert client.get(f"/portal/guide/{world.water.code}/").status_code == 404
    assert client.get("/portal/guide/NOPE/").status_code == 404


def test_guide_page_is_light(client: Client, world: Any) -> None:
    """The guide page with its stylesheet and script stays far under 150 KB (measured in the browser test
    too); no framework bundle."""
    response = client.get(f"/portal/guide/{world.dibao.code}/")
    html = response.content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert all(a.endswith((".css", ".js")) for a in assets)
    total = len(response.content)
    for asset in assets:
        asset_response = client.get(asset)
        total += (
            len(b"".join(asset_response.streaming_content))
            if asset_response.streaming
            else len(asset_response.content)
        )
    assert total < 150 * 1024, total
    assert not any("echarts" in a for a in assets)


def test_guide_queries_stay_flat_with_many_centres(
    client: Client, world: Any, django_assert_max_num_queries: Any
) -> None:
    from tests.factories import VillageCentreFactory

    for _ in range(8):
        catalog.centre_matter_assign(
            actor=None, centre=VillageCentreFactory(parent=world.town), matter=world.dibao
        )
    with django_assert_max_num_queries(12):
        assert client.get(f"/portal/guide/{world.dibao.code}/").status_code == 200


def test_large_text_and_high_contrast_switches_work_without_javascript(client: Client, world: Any) -> None:
    response = client.post("/portal/display/", {"toggle": "large", "next": "/portal/centres/"}, **SAME_SITE)
    assert response.status_code == 302 and response["Location"] == "/portal/centres/"
    client.post("/portal/display/", {"toggle": "contrast", "next": "/portal/"}, **SAME_SITE)
    html = client.get("/portal/").content.decode()
    assert '<html lang="zh-CN" class="large contrast">' in html
    assert 'aria-pressed="true"' in html
    client.post("/portal/display/", {"toggle": "large", "next": "/portal/"}, **SAME_SITE)
    assert '<html lang="zh-CN" class="contrast">' in client.get("/portal/").content.decode()


def test_display_switch_never_redirects_to_another_site(client: Client) -> None:
    response = client.post(
        "/portal/display/", {"toggle": "large", "next": "https://evil.example/"}, **SAME_SITE
    )
    assert response["Location"] == "/portal/"


def test_display_switch_needs_post(client: Client) -> None:
    assert client.get("/portal/display/").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/portal/",
        "/portal/matters/",
        "/portal/themes/",
        "/portal/centres/",
        "/portal/disclosure/",
        "/portal/account/login/",
        "/portal/account/register/",
        "/portal/account/reset/",
    ],
)
def test_every_control_is_labelled(client: Client, world: Any, path: str) -> None:
    html = client.get(path).content.decode()
    assert unlabelled(html) == [], path
    assert '<a class="skip" href="#main">' in html and '<main id="main"' in html


def test_catalogue_counts_every_matter_in_use_and_pages_by_fifty(
    client: Client, world: Any, make_matter: Any
) -> None:
    """Issue 16 / SCOPE-4: 65 matters in use are counted as 65 (not 60) and listed 50 to a page."""
    for n in range(62):
        make_matter(name=f"测试事项第{n:02d}号")
    html = client.get("/portal/matters/").content.decode()
    assert "共 65 个事项" in html and "第 1 / 2 页" in html
    assert html.count('class="title"') == 50 and "下一页" in html
    html = client.get("/portal/matters/", {"page": 2}).content.decode()
    assert html.count('class="title"') == 15 and "上一页" in html
    html = client.get("/portal/matters/", {"q": "测试事项", "page": 2}).content.decode()
    assert "找到 62 个事项" in html and html.count('class="title"') == 12
    assert "q=%E6%B5%8B%E8%AF%95%E4%BA%8B%E9%A1%B9" in html  # the pager keeps the search


def test_guide_puts_materials_conditions_time_fee_and_where_first(client: Client, world: Any) -> None:
    """Issue 16 / SCOPE-4 on a phone: materials, conditions, time limit, fee and 去哪办 come before the
    GB/T 39046 administrative fields, which are folded in a <details>."""
    html = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    order = [
        html.index('id="g-materials"'),
        html.index("最低生活保障申请书"),
        html.index('id="g-key"'),
        html.index("受理条件"),
        html.index("承诺时限</dt>"),
        html.index("收费</dt>"),
        html.index('id="where-h"'),
        html.index('<details class="card guide-fields">'),
        html.index("实施编码 / 基本编码"),
    ]
    assert order == sorted(order)
    assert '<details class="card guide-fields" open' not in html


def test_guide_publishes_the_blank_notification_sheet(client: Client, world: Any) -> None:
    """SCOPE-4 / STD-2: the matter's blank 一次性告知单 is public with the guide: a PDF naming the matter and its
    materials, no applicant, and no serial number drawn."""
    from pypdf import PdfReader

    from govhall.catalog.models import NotificationSheet

    html = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    link = f"/portal/guide/{world.dibao.code}/notice-sheet.pdf"
    assert link in html and "一次性告知单" in html
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace("\n", "")
    assert "一次性告知单" in text and "最低生活保障申请" in text and "居民户口簿" in text
    assert NotificationSheet.objects.count() == 0
    assert client.get("/portal/guide/NOPE/notice-sheet.pdf").status_code == 404


def test_elder_mode_is_a_cookie_toggle_and_simplifies_the_home_page(client: Client, world: Any) -> None:
    """Issue 16 长辈版: the header button turns it on and off (no JavaScript, no account); the home page then
    shows the most used matters, tracking and ticket/appointment, and a read-aloud button."""
    response = client.post("/portal/display/", {"toggle": "elder", "next": "/portal/"}, **SAME_SITE)
    assert response.status_code == 302 and "elder" in response.cookies["gh_display"].value
    html = client.get("/portal/").content.decode()
    assert 'class="elder' in html and "大家最常办的事" in html and "最低生活保障申请" in html
    assert "查询办件进度" in html and "手机取号" in html and 'id="read-aloud"' in html
    assert "按部门" not in html  # the simplified page, not the full one
    client.post("/portal/display/", {"toggle": "elder", "next": "/portal/"}, **SAME_SITE)
    assert "按部门" in client.get("/portal/").content.decode()
