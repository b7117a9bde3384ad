"""SITE-7 / SITE-3 the hall's one kiosk (/portal/kiosk/<区划代码>/): appointment check-in by the booking code
or the ID card number, the ticketing hours said before the visitor chooses (the centre's 8:30, not 08:00),
the 长辈版 large-text toggle that the idle reset turns off, and the former id-based URLs redirecting."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.queueing import services
from govhall.queueing.models import QueueSettings, Ticket
from tests.queueing.conftest import TZ, YOUNG_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(q, monkeypatch):
    monkeypatch.setattr(services, "_sms", lambda *args, **kwargs: None)
    slot = services.slot_create(
        centre=q.centre,
        group="minsheng",
        date=dt.date(2026, 3, 10),
        start=dt.time(9, 30),
        end=dt.time(10, 0),
        capacity=2,
        by=q.director,
    )
    return services.appointment_book(
        slot_id=slot.pk,
        matter_id=q.appointment_matter.pk,
        name="李华",
        phone="13812345678",
        id_number=YOUNG_ID,
    )


def kiosk(q, path=""):
    return f"/portal/kiosk/{q.centre.division.code}/{path}"


def test_check_in_with_the_booking_code_prints_a_priority_ticket(client, q, booking):
    response = client.post(kiosk(q, "checkin/"), {"code": booking.code})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == kiosk(q, f"ticket/{ticket.public_token}/")
    booking.refresh_from_db()
    assert ticket.priority and booking.ticket == ticket
    page = client.get(response.url).content.decode()
    assert ticket.code in page and "优先" in page


def test_check_in_with_the_id_card_number_finds_todays_booking(client, q, booking):
    response = client.post(kiosk(q, "checkin/"), {"code": YOUNG_ID.lower()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "checked_in" and booking.ticket is not None


def test_check_in_with_an_unknown_number_says_so_in_chinese(client, q, booking):
    other = "11010519491231002X"
    response = client.post(kiosk(q, "checkin/"), {"code": other})
    assert response.status_code == 400 and "没有查到您今天在本中心的预约" in response.content.decode()
    wrong = client.post(kiosk(q, "checkin/"), {"code": "ZZZZ9999"})
    assert wrong.status_code == 400 and "预约码不正确" in wrong.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_says_the_ticketing_hours_before_the_visitor_chooses(client, q):
    """The centre's stated hours start at 8:30: ticketing opens then (not at 08:00), said on the start page
    and the ticket page; before 8:30 the kiosk says it is not yet time."""
    assert QueueSettings().opening_time == dt.time(8, 30)
    for path in ("", "ticket/"):
        page = client.get(kiosk(q, path)).content.decode()
        assert "取号时间：08:30—17:30" in page and "上午8:30-12:00 下午13:30-17:30" in page
        assert "不在取号时间" not in page
    import time_machine

    with time_machine.travel(dt.datetime(2026, 3, 10, 8, 10, tzinfo=TZ), tick=False):
        early = client.get(kiosk(q, "ticket/")).content.decode()
    assert "现在不在取号时间内" in early


def test_large_text_toggle_and_the_idle_reset(client, q):
    home = kiosk(q)
    response = client.post(kiosk(q, "display/"), {"next": kiosk(q, "ticket/")})
    assert response.status_code == 302 and response.url == kiosk(q, "ticket/")
    assert 'class="large' in client.get(home).content.decode()
    outside = client.post(kiosk(q, "display/"), {"next": "https://example.com/"})
    assert outside.url == home  # never leads out of the kiosk
    client.get(home + "?reset=1")
    assert 'class="large' not in client.get(home).content.decode()


def test_former_kiosk_urls_redirect_to_the_centre_code(client, q):
    old = client.get(f"/portal/kiosk/{q.centre.pk}/track/?x=1")
    assert old.status_code == 301 and old.url == kiosk(q, "track/?x=1")
    posted = client.post(f"/portal/kiosk/{q.centre.pk}/ticket/", {"group": "minsheng"})
    assert posted.status_code == 308 and posted.url == kiosk(q, "ticket/")
    assert not Ticket.objects.exists()
    assert client.get("/portal/kiosk/999999/").status_code == 404
    assert client.get("/portal/kiosk/999999999999/").status_code == 404
