"""Issue 16 (NET-1): appointments belong to the citizen. Booked from a matter's guide (the matter chosen, the
slots of the window class that serves it at the chosen centre), listed and cancelled under 我的预约, with no
second entry of name and phone; another account cannot cancel them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from govhall.queueing.models import Appointment, AppointmentSlot, BookingStatus
from tests.portal.conftest import citizen_client, last_sms

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Qidong


@pytest.fixture
def booking_world(world: Any, make_matter: Any) -> Any:
    world.birth = make_matter(
        name="生育登记", supports_appointment=True, window_class="minsheng", centres=(world.town,)
    )
    slot = dict(centre=world.town, date=dt.date(2026, 3, 11), capacity=3)
    world.slot = AppointmentSlot.objects.create(
        window_class="minsheng", start=dt.time(9), end=dt.time(10), **slot
    )
    world.other_class = AppointmentSlot.objects.create(
        window_class="jianshe", start=dt.time(10), end=dt.time(11), **slot
    )
    return world


def test_citizen_books_from_the_guide_sees_and_cancels_under_my_appointments(
    client: Client, booking_world: Any, make_citizen: Any
) -> None:
    """NET-1: the guide's 预约办理 leads to the booking page for this matter; only the 民生 window's slots are
    offered; no name or phone field; the booking shows under 我的预约 and is cancelled there (place freed)."""
    w = booking_world
    citizen = make_citizen(mobile="13962801111", real_name="王秀兰")
    citizen_client(client, citizen)
    with time_machine.travel(NOW, tick=False):
        guide = client.get(f"/portal/guide/{w.birth.code}/").content.decode()
        assert f"/portal/guide/{w.birth.code}/book/" in guide
        page = client.get(f"/portal/guide/{w.birth.code}/book/").content.decode()
        assert f'id="slot-{w.slot.pk}"' in page and f'id="slot-{w.other_class.pk}"' not in page
        assert 'name="name"' not in page and 'name="phone"' not in page
        response = client.post(
            f"/portal/guide/{w.birth.code}/book/", {"centre_id": w.town.pk, "slot": w.slot.pk}
        )
        assert response.status_code == 302 and response["Location"] == "/portal/my/appointments/"
        booking = Appointment.objects.get()
        assert booking.name == "王秀兰" and booking.phone == citizen.mobile and booking.matter == w.birth
        assert booking.code in last_sms(citizen.mobile)
        mine = client.get("/portal/my/appointments/").content.decode()
        assert "生育登记" in mine and booking.code in mine and "已预约" in mine and "3月11日" in mine
        client.post(f"/portal/my/appointments/{booking.code}/cancel/")
        assert "已取消" in client.get("/portal/my/appointments/").content.decode()
    booking.refresh_from_db()
    w.slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and w.slot.booked == 0


def test_booking_needs_a_centre_and_a_slot_and_other_accounts_cannot_cancel(
    client: Client, booking_world: Any, make_citizen: Any
) -> None:
    w = booking_world
    owner = make_citizen(mobile="13962801112")
    other = make_citizen(mobile="13962801113")
    with time_machine.travel(NOW, tick=False):
        citizen_client(client, owner)
        response = client.post(f"/portal/guide/{w.birth.code}/book/", {"centre_id": w.town.pk})
        assert response.status_code == 400 and "请选择预约时段。" in response.content.decode()
        response = client.post(
            f"/portal/guide/{w.birth.code}/book/", {"centre_id": w.town.pk, "slot": w.other_class.pk}
        )
        assert response.status_code == 400 and "该时段不办理此事项" in response.content.decode()
        assert Appointment.objects.count() == 0
        client.post(f"/portal/guide/{w.birth.code}/book/", {"centre_id": w.town.pk, "slot": w.slot.pk})
        booking = Appointment.objects.get()
        stranger = citizen_client(Client(), other)
        stranger.post(f"/portal/my/appointments/{booking.code}/cancel/")
        assert booking.code not in stranger.get("/portal/my/appointments/").content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, booking_world: Any) -> None:
    response = client.get(f"/portal/guide/{booking_world.birth.code}/book/")
    assert response.status_code == 302 and "/portal/account/login/" in response["Location"]
    assert re.search(r"/portal/account/login/", client.get("/portal/my/appointments/")["Location"])
