"""Appointments (预约): slots with capacity per class, booking, check-in with a priority ticket, no-shows
free the slot, SMS reminders through the notification outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core.errors import Conflict, NotFound, ServiceError
from govhall.queueing import services
from govhall.queueing.models import Appointment, AppointmentSlot, BookingStatus, TicketStatus
from tests.queueing.conftest import TZ, YOUNG_ID

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def slot(q):
    return services.slot_create(
        centre=q.centre,
        group="minsheng",
        date=TODAY,
        start=dt.time(10, 0),
        end=dt.time(10, 30),
        capacity=2,
        by=q.director,
    )


@pytest.fixture
def sms(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services, "_sms", lambda phone, text, related, template="": sent.append((phone, text, related))
    )
    return sent


def book(q, slot, phone="13812345678", **kwargs):
    return services.appointment_book(
        slot_id=slot.pk, matter_id=q.appointment_matter.pk, name="李华", phone=phone, **kwargs
    )


def test_booking_takes_a_place_and_sends_a_confirmation(q, slot, sms):
    booking = book(q, slot, id_number=YOUNG_ID)
    slot.refresh_from_db()
    assert slot.booked == 1 and booking.status == BookingStatus.BOOKED and len(booking.code) == 8
    assert booking.phone == "13812345678" and booking.id_digest
    assert sms[0][0] == "13812345678" and booking.code in sms[0][1] and sms[0][2] == booking


def test_a_full_slot_refuses_and_writes_nothing(q, slot, sms):
    book(q, slot, phone="13800000001")
    book(q, slot, phone="13800000002")
    with pytest.raises(Conflict) as exc:
        book(q, slot, phone="13800000003")
    assert exc.value.code == "full"
    assert Appointment.objects.count() == 2 and AppointmentSlot.objects.get(pk=slot.pk).booked == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phone": "123"}, "phone"),
        ({"name": " "}, "name"),
        ({"matter": "birth"}, "matter"),  # does not support appointments
    ],
)
def test_bad_bookings_are_refused(q, slot, sms, kwargs, field):
    matter = getattr(q, kwargs.pop("matter", "appointment_matter"))
    args = {"slot_id": slot.pk, "matter_id": matter.pk, "name": "李华", "phone": "13812345678", **kwargs}
    with pytest.raises(ServiceError) as exc:
        services.appointment_book(**args)
    assert field in exc.value.fields
    assert not Appointment.objects.exists() and not sms


def test_slots_cannot_be_duplicated_or_in_the_past(q, slot):
    with pytest.raises(Conflict):
        services.slot_create(
            centre=q.centre,
            group="minsheng",
            date=TODAY,
            start=dt.time(10, 0),
            end=dt.time(10, 30),
            capacity=2,
            by=q.director,
        )
    with pytest.raises(ServiceError):
        services.slot_create(
            centre=q.centre,
            group="minsheng",
            date=TODAY - dt.timedelta(days=1),
            start=dt.time(10, 0),
            end=dt.time(10, 30),
            capacity=2,
            by=q.director,
        )


def test_slots_are_generated_for_working_days_only(q):
    # 2026-03-13 is a Friday; the weekend of 14-15 March has no make-up working day.
    slots = services.slots_generate(
        centre=q.centre,
        group="minsheng",
        date_from=dt.date(2026, 3, 13),
        date_to=dt.date(2026, 3, 16),
        periods=[(dt.time(9), dt.time(10))],
        capacity=3,
        by=q.director,
    )
    assert [s.date for s in slots] == [dt.date(2026, 3, 13), dt.date(2026, 3, 16)]


def test_check_in_on_time_gives_a_priority_ticket(q, slot, sms, clock):
    """Appointment holders who check in on time are called first within their class."""
    booking = book(q, slot)
    walk_in = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    clock.move_to(dt.datetime(2026, 3, 10, 9, 45, tzinfo=TZ))
    result = services.appointment_check_in(centre=q.centre, code=booking.code)
    assert result.ticket.priority and result.ticket.priority_reason == "appointment"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN and booking.ticket == result.ticket
    window = services.window_open(window=q.windows["minsheng"], by=q.front_desk).window
    assert services.ticket_call_next(window=window, by=q.front_desk).pk == result.ticket.pk
    assert walk_in.status == TicketStatus.WAITING


def test_check_in_too_early_wrong_code_or_late(q, slot, sms, clock):
    booking = book(q, slot)
    with pytest.raises(Conflict) as exc:
        services.appointment_check_in(centre=q.centre, code=booking.code)
    assert exc.value.code == "too_early" and "09:30" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.appointment_check_in(centre=q.centre, code="00000000")
    assert "code" in exc.value.fields
    with pytest.raises(ServiceError):
        services.appointment_check_in(centre=q.village, code=booking.code)
    clock.move_to(dt.datetime(2026, 3, 10, 10, 20, tzinfo=TZ))
    result = services.appointment_check_in(centre=q.centre, code=booking.code)
    assert not result.ticket.priority and result.warnings


def test_a_no_show_frees_the_place(q, slot, sms, clock):
    booking = book(q, slot)
    clock.move_to(dt.datetime(2026, 3, 10, 10, 10, tzinfo=TZ))
    assert services.appointments_mark_no_shows() == 0
    clock.move_to(dt.datetime(2026, 3, 10, 10, 16, tzinfo=TZ))
    assert services.appointments_mark_no_shows() == 1
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW and slot.booked == 0


def test_cancel_needs_the_phone_and_frees_the_place(q, slot, sms):
    booking = book(q, slot)
    with pytest.raises(NotFound):
        services.appointment_cancel(code=booking.code, phone="13900000000")
    services.appointment_cancel(code=booking.code, phone="13812345678")
    slot.refresh_from_db()
    assert slot.booked == 0 and Appointment.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_reminders_go_once_before_the_slot(q, sms, clock):
    tomorrow = services.slot_create(
        centre=q.centre,
        group="minsheng",
        date=TODAY + dt.timedelta(days=1),
        start=dt.time(9, 30),
        end=dt.time(10),
        capacity=5,
        by=q.director,
    )
    book(q, tomorrow)
    sms.clear()
    clock.move_to(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ))  # 24.5 hours before: not yet
    assert services.appointments_send_reminders() == 0
    clock.move_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ))
    assert services.appointments_send_reminders() == 1
    assert services.appointments_send_reminders() == 0
    assert "提醒" in sms[0][1]


def test_confirmation_goes_through_the_notification_outbox(q, slot):
    """No mock: the SMS is a row of the exchange app's outbox, encrypted, linked to the booking."""
    from govhall.exchange.models import Notification

    booking = book(q, slot)
    note = Notification.objects.get()
    assert note.recipient == "13812345678" and booking.code in note.text
    assert note.template == "queue.appointment_booked" and note.related_id == str(booking.pk)
