"""End of day: tickets still waiting when the hall closes are closed as 未办理 with the time, never
silently dropped; windows close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from govhall.queueing import services
from govhall.queueing.models import Ticket, TicketStatus, WindowState, WindowStatus
from tests.queueing.conftest import TZ, open_window

pytestmark = pytest.mark.django_db


def test_waiting_tickets_are_closed_as_unserved_after_closing_time(q, clock):
    window = open_window(q.windows["minsheng"], q.front_desk)
    done, waiting, skipped = (
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket for _ in range(3)
    )
    services.ticket_call_next(window=window, by=q.front_desk)
    services.ticket_start(window=window, ticket_id=done.pk, by=q.front_desk)
    services.ticket_finish(window=window, ticket_id=done.pk, by=q.front_desk)
    services.ticket_call_next(window=window, by=q.front_desk)  # waiting → called
    services.ticket_skip(window=window, ticket_id=waiting.pk, by=q.front_desk)
    # Before closing time nothing of today is touched.
    assert services.queue_close_day().tickets == 0
    clock.move_to(dt.datetime(2026, 3, 10, 17, 31, tzinfo=TZ))
    result = services.queue_close_day()
    assert result.tickets == 2 and result.centres == [q.centre.pk] and result.windows == 1
    for ticket in (waiting, skipped):
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.UNSERVED
        assert ticket.finished_at == dt.datetime(2026, 3, 10, 17, 31, tzinfo=TZ)
        assert ticket.close_note == services.CLOSE_NOTE_WAITING
    assert Ticket.objects.get(pk=done.pk).status == TicketStatus.DONE
    assert WindowState.objects.get(window=window).status == WindowStatus.CLOSED
    assert services.queue_close_day().tickets == 0  # idempotent


def test_yesterdays_leftovers_are_closed_by_the_command(q, clock):
    ticket = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    clock.shift(dt.timedelta(days=1))
    call_command("queue_close_day", verbosity=0)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.UNSERVED


def test_force_closes_today_before_closing_time(q):
    ticket = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    call_command("queue_close_day", centre=q.centre.pk, force=True, verbosity=0)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.UNSERVED


def test_the_periodic_task_closes_halls(q, clock):
    from govhall.queueing.tasks import close_queues

    ticket = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    clock.move_to(dt.datetime(2026, 3, 10, 18, 0, tzinfo=TZ))
    close_queues.call_local()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.UNSERVED


def test_demo_seed_is_idempotent(q):
    from govhall.queueing import seed
    from govhall.queueing.models import DisplayNotice, QueueSettings

    first = seed.load_demo()
    assert "排队叫号" in first
    counts = (QueueSettings.objects.count(), DisplayNotice.objects.count())
    seed.load_demo()
    assert (QueueSettings.objects.count(), DisplayNotice.objects.count()) == counts
    assert DisplayNotice.objects.filter(centre=q.centre).count() == 3
