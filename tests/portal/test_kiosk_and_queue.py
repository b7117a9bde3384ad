"""NET-1 kiosk mode (SITE-3 self-service area) and the live waiting counts on public pages: a ticket is
taken through the queue service, the guide and the centre page show today's waiting visitors, every
kiosk page has 返回首页 and the idle reset, and no kiosk page links out of the kiosk."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from govhall.queueing.models import Ticket, TicketSource
from govhall.queueing.services import ticket_issue

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def kiosk(world: Any, path: str = "") -> str:
    return f"/portal/kiosk/{world.town.division.code}/{path}"


def test_guide_and_centre_page_show_todays_waiting_count(client: Client, world: Any, clock: Any) -> None:
    """NET-1: where to go, with the live waiting count of the matter's window class."""
    for _ in range(2):
        ticket_issue(centre=world.town, matter_id=world.dibao.pk)
    ticket_issue(centre=world.town, matter_id=world.water.pk)  # another class: not counted for 低保
    guide = client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    fragment = f"/portal/guide/{world.dibao.code}/waiting/"
    assert f'hx-get="{fragment}" hx-trigger="load, every 15s"' in guide  # the count is loaded into the page
    html = client.get(fragment, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r"当前排队：<strong>2</strong> 人等候", html)
    html = client.get(fragment).content.decode()  # without JavaScript: a page of its own
    assert re.search(r"当前排队：<strong>2</strong> 人等候", html) and "<h1>" in html
    html = client.get(f"/portal/centres/{world.town.pk}/").content.decode()
    assert re.search(r"<td>民生综合窗口</td><td>2</td>", html)
    assert re.search(r"<td>市政公共服务综合窗口</td><td>1</td>", html)


def test_guide_of_a_forwarded_matter_shows_no_queue_where_no_window_serves_it(
    client: Client, world: Any, clock: Any
) -> None:
    html = client.get(f"/portal/guide/{world.village_matter.code}/").content.decode()
    assert world.village.division.name in html and "当前排队" not in html
    html = client.get(f"/portal/guide/{world.village_matter.code}/waiting/", HTTP_HX_REQUEST="true")
    assert "当前排队" not in html.content.decode()


def test_kiosk_takes_a_ticket_through_the_queue_service(client: Client, world: Any, clock: Any) -> None:
    """NET-1/SITE-3: pick a matter, confirm, get the number; the ticket is a kiosk ticket of the right class."""
    html = client.get(kiosk(world, "ticket/")).content.decode()
    assert f"?matter={world.dibao.pk}" in html and "民生综合窗口" in html
    response = client.post(kiosk(world, "ticket/"), {"matter": world.dibao.pk, "phone": "", "id_number": ""})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (
        ticket.source == TicketSource.KIOSK
        and ticket.window_class == "minsheng"
        and ticket.matter == world.dibao
    )
    page = client.get(response["Location"]).content.decode()
    # the queue's 80 mm ticket, its QR code an SVG image
    assert ticket.code in page and "前面还有" in page and "返回首页" in page
    assert 'class="ticket80"' in page and 'src="data:image/svg+xml' in page


def test_kiosk_ticket_with_a_bad_phone_is_refused_and_nothing_issued(
    client: Client, world: Any, clock: Any
) -> None:
    response = client.post(kiosk(world, "ticket/"), {"group": "minsheng", "phone": "12345"})
    assert response.status_code == 400
    assert "手机号码" in response.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_ticket_outside_opening_hours_is_refused(client: Client, world: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        response = client.post(kiosk(world, "ticket/"), {"group": "minsheng"})
    assert response.status_code == 400 and "不在取号时间内" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_ticket_of_another_centre_is_not_shown_on_this_kiosk(
    client: Client, world: Any, clock: Any
) -> None:
    from tests.factories import TownCentreFactory, WindowFactory

    other = TownCentreFactory()
    WindowFactory(centre=other, window_class="minsheng")
    ticket = ticket_issue(centre=other, group="minsheng").ticket
    assert client.get(kiosk(world, f"ticket/{ticket.public_token}/")).status_code == 404


def test_kiosk_guide_can_be_read_and_printed(client: Client, world: Any, clock: Any) -> None:
    """SCOPE-4 at the kiosk: the centre's matters, the full guide, a print button, a ticket for it."""
    html = client.get(kiosk(world, "guides/"), {"q": "zdshbzsq"}).content.decode()
    assert "最低生活保障申请" in html and "居民生活用水报装" not in html
    html = client.get(kiosk(world, f"guides/{world.dibao.code}/")).content.decode()
    for text in (
        "最低生活保障申请书",
        "居民户口簿",
        "20个工作日",
        "打印办事指南",
        f"?matter={world.dibao.pk}",
    ):
        assert text in html, text


def test_kiosk_search_only_lists_matters_of_its_centre(client: Client, world: Any) -> None:
    html = client.get(kiosk(world, "guides/")).content.decode()
    assert "最低生活保障申请" in html and "高龄津贴申领代办" not in html


@pytest.mark.parametrize("path", ["", "ticket/", "ticket/?group=minsheng", "guides/", "guides/{code}/"])
def test_every_kiosk_page_has_home_idle_reset_and_no_way_out(
    client: Client, world: Any, clock: Any, path: str
) -> None:
    """NET-1 kiosk: 返回首页 everywhere, the idle reset (script and a no-script refresh), no login, and every
    link stays inside this kiosk."""
    html = client.get(kiosk(world, path.format(code=world.dibao.code))).content.decode()
    home = kiosk(world)
    assert f'<a class="home" href="{home}">返回首页</a>' in html
    assert f'data-kiosk-home="{home}"' in html and 'data-idle-seconds="60"' in html
    assert f'<noscript><meta http-equiv="refresh" content="60;url={home}?reset=1">' in html
    assert "/static/portal/kiosk.js" in html
    links = re.findall(r'<a [^>]*href="([^"]+)"', html)
    assert links
    for link in links:
        assert link.startswith((home, "?", "#")), link
    assert "登录" not in html and "/portal/account/" not in html


def test_kiosk_idle_time_is_a_setting(client: Client, world: Any, settings: Any) -> None:
    settings.PORTAL_KIOSK_IDLE_SECONDS = 5
    html = client.get(kiosk(world)).content.decode()
    assert 'data-idle-seconds="5"' in html and 'content="5;url=' in html


def test_kiosk_of_a_closed_or_unknown_centre_is_404(client: Client, world: Any) -> None:
    world.other_village.is_active = False
    world.other_village.save()
    assert client.get(f"/portal/kiosk/{world.other_village.division.code}/").status_code == 404
    assert client.get("/portal/kiosk/999999/").status_code == 404


def test_downloads_are_on_the_web_guide_but_not_at_the_kiosk(client: Client, world: Any) -> None:
    """SCOPE-4: the web guide offers the blank form; the kiosk shows the same guide without any way out."""
    from django.core.files.base import ContentFile

    material = world.dibao.current_version.materials.get(name="最低生活保障申请书")
    material.blank_form.save("申请书.docx", ContentFile(b"PK\x03\x04 form"), save=True)
    link = f"/catalog/guide/{world.dibao.code}/materials/{material.pk}/blank_form/"
    assert link in client.get(f"/portal/guide/{world.dibao.code}/").content.decode()
    html = client.get(kiosk(world, f"guides/{world.dibao.code}/")).content.decode()
    assert "最低生活保障申请书" in html and link not in html and "/catalog/" not in html
