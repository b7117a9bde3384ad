"""Calling at a window (SITE-5 windows, SITE-7 display screen): call next with priority, recall, skip and
reinstate, transfer without a new ticket (一票到底), start and finish; 暂停服务 (STD-7)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry
from govhall.queueing import services
from govhall.queueing.models import CallLog, Ticket, TicketStatus, TicketTransfer, WindowPause, WindowStatus
from tests.factories import WindowFactory
from tests.queueing.conftest import open_window

pytestmark = pytest.mark.django_db


def issue(q, matter=None, **kwargs):
    return services.ticket_issue(centre=q.centre, matter_id=(matter or q.birth).pk, **kwargs).ticket


@pytest.fixture
def minsheng(q):
    return open_window(q.windows["minsheng"], q.front_desk)


def test_call_next_takes_priority_first_then_the_longest_waiting(q, minsheng, clock):
    first = issue(q)
    clock.shift(60)
    second = issue(q)
    clock.shift(60)
    elder = issue(q, priority_reason="elderly")
    order = [services.ticket_call_next(window=minsheng, by=q.front_desk) for _ in range(3)]
    assert [t.code for t in order] == [elder.code, first.code, second.code]
    assert services.ticket_call_next(window=minsheng, by=q.front_desk) is None


def test_call_next_records_the_call_and_speaks_the_sentence(q, minsheng, django_capture_on_commit_callbacks):
    from govhall.core import events

    ticket = issue(q)
    with events.subscribe([f"queueing.centre.{q.centre.pk}.call"], timeout=1) as stream:
        with django_capture_on_commit_callbacks(execute=True):
            called = services.ticket_call_next(window=minsheng, by=q.front_desk)
        event = stream.get(1)
    assert called.pk == ticket.pk
    called.refresh_from_db()
    assert called.status == TicketStatus.CALLED and called.called_window == minsheng
    assert called.served_by == q.front_desk and called.called_at is not None
    log = CallLog.objects.get(ticket=ticket)
    assert log.text == "请A001号到1号窗口办理"
    assert event.payload["text"] == "请A001号到1号窗口办理" and event.payload["ticket"]["window"] == 1
    assert event.payload["waiting"] == {}


def test_a_window_calls_only_its_classes(q, minsheng):
    """SITE-5: a 民生 window does not call 建设 or 公安 tickets; a professional window only its department."""
    issue(q, q.building)
    passport = issue(q, q.passport)
    assert services.ticket_call_next(window=minsheng, by=q.front_desk) is None
    police = open_window(q.police_window, q.front_desk)
    assert services.ticket_call_next(window=police, by=q.front_desk).pk == passport.pk


def test_a_quanke_window_calls_every_comprehensive_class(q):
    quanke = open_window(WindowFactory(centre=q.centre, number=9, window_class="quanke"), q.front_desk)
    building = issue(q, q.building)
    issue(q, q.passport)
    assert services.ticket_call_next(window=quanke, by=q.front_desk).pk == building.pk
    assert services.ticket_call_next(window=quanke, by=q.front_desk) is None


def test_a_paused_window_gets_no_calls_and_its_visitors_stay_in_the_queue(q, minsheng, clock):
    """STD-7: 暂停服务 with a reason; the waiting visitors are called by another window of the class."""
    ticket = issue(q)
    services.window_pause(window=minsheng, reason="meeting", by=q.front_desk)
    with pytest.raises(Conflict) as exc:
        services.ticket_call_next(window=minsheng, by=q.front_desk)
    assert exc.value.code == "window_paused" and "会议/培训" in exc.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.WAITING
    other = open_window(WindowFactory(centre=q.centre, number=7, window_class="minsheng"), q.back_office)
    assert services.ticket_call_next(window=other, by=q.back_office).pk == ticket.pk
    pause = WindowPause.objects.get(window=minsheng)
    assert pause.reason == "meeting" and pause.ended_at is None and pause.by == q.front_desk
    clock.shift(dt.timedelta(minutes=20))
    state = services.window_resume(window=minsheng, by=q.front_desk)
    assert state.status == WindowStatus.OPEN
    pause.refresh_from_db()
    assert pause.ended_at is not None and (pause.ended_at - pause.started_at) == dt.timedelta(minutes=20)
    assert AuditEntry.objects.filter(action__in=["window.pause", "window.resume"]).count() == 2


def test_pause_needs_a_reason_and_no_visitor_at_the_window(q, minsheng):
    with pytest.raises(ServiceError) as exc:
        services.window_pause(window=minsheng, reason="", by=q.front_desk)
    assert "reason" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        services.window_pause(window=minsheng, reason="other", note=" ", by=q.front_desk)
    assert "note" in exc.value.fields
    issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    with pytest.raises(Conflict) as exc:
        services.window_pause(window=minsheng, reason="break", by=q.front_desk)
    assert "A001" in exc.value.message
    assert not WindowPause.objects.exists()


def test_a_closed_window_cannot_call(q):
    issue(q)
    with pytest.raises(Conflict) as exc:
        services.ticket_call_next(window=q.windows["minsheng"], by=q.front_desk)
    assert exc.value.code == "window_closed"


def test_recall_announces_again_and_counts(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_recall(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    ticket.refresh_from_db()
    assert ticket.recall_count == 1
    assert list(CallLog.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True)) == [
        "call",
        "recall",
    ]


def test_start_and_finish_record_service_times(q, minsheng, clock):
    ticket = issue(q)
    clock.shift(dt.timedelta(minutes=12))
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    clock.shift(dt.timedelta(minutes=1))
    services.ticket_start(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    clock.shift(dt.timedelta(minutes=7))
    services.ticket_finish(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert ticket.wait_seconds == 12 * 60 and ticket.service_seconds == 7 * 60


def test_finishing_a_ticket_not_in_service_is_refused(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    with pytest.raises(Conflict) as exc:
        services.ticket_finish(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    assert "已叫号" in exc.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CALLED


def test_finish_as_not_handled_needs_a_reason(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_start(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    with pytest.raises(ServiceError):
        services.ticket_finish(window=minsheng, ticket_id=ticket.pk, by=q.front_desk, served=False)
    services.ticket_finish(
        window=minsheng, ticket_id=ticket.pk, by=q.front_desk, served=False, note="材料不全"
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.UNSERVED and ticket.close_note == "材料不全"


def test_another_window_cannot_operate_a_ticket_called_elsewhere(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    other = open_window(WindowFactory(centre=q.centre, number=7, window_class="minsheng"), q.back_office)
    with pytest.raises(Conflict) as exc:
        services.ticket_start(window=other, ticket_id=ticket.pk, by=q.back_office)
    assert "1号窗口" in exc.value.message


def test_call_next_skips_a_no_show_but_not_a_visitor_in_service(q, minsheng):
    first, second, third = issue(q), issue(q), issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    assert services.ticket_call_next(window=minsheng, by=q.front_desk).pk == second.pk
    assert Ticket.objects.get(pk=first.pk).status == TicketStatus.SKIPPED
    services.ticket_start(window=minsheng, ticket_id=second.pk, by=q.front_desk)
    with pytest.raises(Conflict) as exc:
        services.ticket_call_next(window=minsheng, by=q.front_desk)
    assert exc.value.code == "serving"
    assert Ticket.objects.get(pk=third.pk).status == TicketStatus.WAITING


def test_call_next_over_a_no_show_writes_one_audit_entry_naming_both(q, minsheng):
    """Issue 15: calling the next visitor while the last one never came is one audit entry (the chain is
    held once), which names the ticket marked 过号; the chain still verifies."""
    from govhall.core.audit import audit_verify

    first, second = issue(q), issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    before = AuditEntry.objects.count()
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [(e.action, e.object_id) for e in entries] == [("ticket.call", str(second.pk))]
    assert entries[0].after["skipped"] == {"id": first.pk, "code": first.code, "status": "skipped"}
    assert entries[0].actor == q.front_desk
    assert audit_verify().ok


def test_skipped_ticket_can_be_reinstated_once_within_the_setting(q, minsheng, clock):
    first, second = issue(q), issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_skip(window=minsheng, ticket_id=first.pk, by=q.front_desk)
    clock.shift(dt.timedelta(minutes=10))
    services.ticket_reinstate(ticket=first, by=q.guide)
    # Back at its old place: called before the later ticket.
    assert services.ticket_call_next(window=minsheng, by=q.front_desk).pk == first.pk
    services.ticket_skip(window=minsheng, ticket_id=first.pk, by=q.front_desk)
    with pytest.raises(Conflict) as exc:
        services.ticket_reinstate(ticket=first, by=q.guide)
    assert exc.value.code == "reinstated"
    assert Ticket.objects.get(pk=second.pk).status == TicketStatus.WAITING


def test_reinstatement_expires_after_the_setting(q, minsheng, clock):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_skip(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(Conflict) as exc:
        services.ticket_reinstate(ticket=ticket, by=q.guide)
    assert exc.value.code == "expired" and "30分钟" in exc.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.SKIPPED


def test_transfer_to_another_class_keeps_the_number_and_place(q, minsheng, clock):
    """一票到底: no new ticket; the 建设 window calls it before later 建设 tickets."""
    ticket = issue(q)
    clock.shift(60)
    later_building = issue(q, q.building)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    jianshe = open_window(q.windows["jianshe"], q.back_office)
    result = services.ticket_transfer(
        window=minsheng, ticket_id=ticket.pk, to_group="jianshe", by=q.front_desk, reason="属建设类事项"
    )
    assert result.warning == ""
    assert result.ticket.code == "A001" and result.ticket.status == TicketStatus.TRANSFERRED
    assert services.ticket_call_next(window=jianshe, by=q.back_office).pk == ticket.pk
    assert services.ticket_call_next(window=jianshe, by=q.back_office).pk == later_building.pk
    transfer = TicketTransfer.objects.get(ticket=ticket)
    assert (transfer.from_class, transfer.to_class, transfer.from_window) == ("minsheng", "jianshe", minsheng)
    assert Ticket.objects.filter(centre=q.centre).count() == 2


def test_transfer_to_a_named_window_is_called_only_there(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_start(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    seven = WindowFactory(centre=q.centre, number=7, window_class="minsheng")
    result = services.ticket_transfer(
        window=minsheng, ticket_id=ticket.pk, to_window_id=seven.pk, by=q.front_desk
    )
    assert "7号窗口当前未在服务" in result.warning
    assert services.ticket_call_next(window=minsheng, by=q.front_desk) is None
    open_window(seven, q.back_office)
    assert services.ticket_call_next(window=seven, by=q.back_office).pk == ticket.pk


def test_transfer_to_a_class_no_open_window_serves_is_allowed_with_a_warning(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    result = services.ticket_transfer(
        window=minsheng, ticket_id=ticket.pk, to_group="shizheng", by=q.front_desk
    )
    assert "没有开放的窗口" in result.warning
    assert TicketTransfer.objects.get(ticket=ticket).warning == result.warning


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"to_group": "nonsense"}, "to_group"),
        ({"to_window_id": 999999}, "to_window"),
        ({}, "to_group"),
        ({"to_group": "minsheng"}, "to_group"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(q, minsheng, kwargs, field):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    with pytest.raises(ServiceError) as exc:
        services.ticket_transfer(window=minsheng, ticket_id=ticket.pk, by=q.front_desk, **kwargs)
    assert field in exc.value.fields
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CALLED
    assert not TicketTransfer.objects.exists()


def test_closing_a_window_with_a_visitor_is_refused(q, minsheng):
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    with pytest.raises(Conflict):
        services.window_close(window=minsheng, by=q.front_desk)
    services.ticket_skip(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    assert services.window_close(window=minsheng, by=q.front_desk).status == WindowStatus.CLOSED


def test_visitor_can_cancel_a_waiting_ticket(q):
    ticket = issue(q)
    services.ticket_cancel(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED and ticket.finished_at is not None
    with pytest.raises(Conflict):
        services.ticket_cancel(ticket=ticket)


def test_a_transferred_ticket_called_at_its_window_is_audited_from_transferred(q, minsheng):
    """The call's audit entry says what the ticket was before the call (the PostgreSQL path reads it in
    the same statement that takes the ticket, issue 15); the call log and the ticket agree."""
    ticket = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_start(window=minsheng, ticket_id=ticket.pk, by=q.front_desk)
    seven = open_window(WindowFactory(centre=q.centre, number=7, window_class="minsheng"), q.back_office)
    services.ticket_transfer(window=minsheng, ticket_id=ticket.pk, to_window_id=seven.pk, by=q.front_desk)
    called = services.ticket_call_next(window=seven, by=q.back_office)
    entry = AuditEntry.objects.filter(action="ticket.call", object_id=str(ticket.pk)).order_by("seq").last()
    assert entry.before == {"status": "transferred"} and entry.after == {"status": "called", "window": 7}
    assert entry.actor == q.back_office
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.called_window, stored.served_by) == ("called", seven, q.back_office)
    assert stored.target_window is None and called.called_at == stored.called_at
    log = CallLog.objects.filter(ticket=ticket).order_by("id").last()
    assert (log.window, log.by, log.kind, log.at) == (seven, q.back_office, "call", stored.called_at)
    assert log.text == "请A001号到7号窗口办理"


def test_the_call_sentence_pads_numbers_to_three_digits_and_keeps_longer_ones(q, minsheng):
    """SITE-5: what the screens speak, for a small and a four-digit number (built in the database on
    PostgreSQL, issue 15)."""
    first, second = issue(q), issue(q)
    Ticket.objects.filter(pk=first.pk).update(number=7)
    Ticket.objects.filter(pk=second.pk).update(number=1234)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    texts = list(CallLog.objects.order_by("id").values_list("text", flat=True))
    assert texts == ["请A007号到1号窗口办理", "请A1234号到1号窗口办理"]


def test_call_next_when_nobody_waits_still_marks_the_no_show(q, minsheng):
    """The last visitor never came and nobody else waits: the call marks them 过号, audited, and calls
    nobody."""
    only = issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    assert services.ticket_call_next(window=minsheng, by=q.front_desk) is None
    assert Ticket.objects.get(pk=only.pk).status == TicketStatus.SKIPPED
    entry = AuditEntry.objects.order_by("seq").last()
    assert (entry.action, entry.object_id, entry.after["status"]) == ("ticket.skip", str(only.pk), "skipped")


def test_call_next_over_a_no_show_costs_a_fixed_number_of_statements(q, minsheng, django_assert_num_queries):
    """Issue 15: on PostgreSQL the 过号, the next ticket, its update and the call log are one statement:
    savepoint, window lock, the ticket at the window, that statement, the audit head and entry, release.
    SQLite takes the same steps one statement each."""
    from django.db import connection

    issue(q), issue(q), issue(q)
    services.ticket_call_next(window=minsheng, by=q.front_desk)
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 11):
        services.ticket_call_next(window=minsheng, by=q.front_desk)
