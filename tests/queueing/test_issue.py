"""Taking a ticket (SITE-7 guide desk and self-service terminal): numbering per centre, day and prefix,
priority rules, encrypted personal data, estimated wait, and bad input that writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from govhall.core.crypto import lookup_digest
from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry
from govhall.queueing import services
from govhall.queueing.models import PriorityReason, Ticket, TicketSource, TicketStatus
from tests.queueing.conftest import ELDER_ID, TZ, YOUNG_ID, open_window

pytestmark = pytest.mark.django_db


def test_tickets_are_numbered_per_prefix_with_class_letters(q):
    """SITE-5: 民生 A, 建设 B, professional windows their own letters."""
    a1 = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    a2 = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    b1 = services.ticket_issue(centre=q.centre, matter_id=q.building.pk).ticket
    e1 = services.ticket_issue(centre=q.centre, matter_id=q.passport.pk).ticket
    assert [a1.code, a2.code, b1.code, e1.code] == ["A001", "A002", "B001", "E001"]
    assert e1.window_class == "professional" and e1.department == q.police
    assert services.queue_settings(q.centre).department_prefixes == {"GA": "E"}


def test_numbers_restart_each_day_and_per_centre(q, clock):
    services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    assert services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket.code == "A002"
    clock.shift(dt.timedelta(days=1))
    assert services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket.code == "A001"
    from tests.factories import WindowFactory

    WindowFactory(centre=q.village, number=1, window_class="quanke")
    assert services.ticket_issue(centre=q.village, group="quanke").ticket.code == "Q001"


def test_the_database_refuses_a_duplicate_number(q):
    """Never duplicated: the unique constraint backs the counter."""
    t = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            centre=q.centre,
            date=t.date,
            prefix="A",
            number=t.number,
            window_class="minsheng",
            business_group="民生",
            issued_at=t.issued_at,
            queued_at=t.issued_at,
        )


def test_counter_is_one_statement_that_returns_the_next_number(q):
    today = dt.date(2026, 3, 10)
    numbers = [services._next_number(q.centre.pk, today, "Z") for _ in range(3)]
    assert numbers == [1, 2, 3]
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_number FROM queueing_ticketcounter WHERE prefix = 'Z'")
        assert cursor.fetchone()[0] == 3


def test_business_group_without_a_matter(q):
    result = services.ticket_issue(centre=q.centre, group="jianshe", source=TicketSource.DESK, by=q.guide)
    assert result.ticket.code == "B001"
    assert result.ticket.matter is None and result.ticket.business_group == "建设综合窗口"
    assert result.ticket.issued_by == q.guide


def test_village_matter_goes_to_the_quanke_queue(q):
    """SITE-5: villages run 全科 windows in 一窗受理 mode; any comprehensive matter waits there."""
    from govhall.catalog.models import CentreMatter
    from tests.factories import WindowFactory

    WindowFactory(centre=q.village, number=1, window_class="quanke")
    CentreMatter.objects.create(centre=q.village, matter=q.birth)
    ticket = services.ticket_issue(centre=q.village, matter_id=q.birth.pk).ticket
    assert ticket.window_class == "quanke" and ticket.code == "Q001"


def test_phone_and_id_are_stored_encrypted_with_digests(q):
    t = services.ticket_issue(
        centre=q.centre, matter_id=q.birth.pk, phone="138 1234 5678", id_number=YOUNG_ID.lower()
    ).ticket
    t.refresh_from_db()
    assert t.phone == "13812345678" and t.id_number == YOUNG_ID
    assert t.phone_digest == lookup_digest("13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number FROM queueing_ticket WHERE id = %s", [t.pk])
        raw_phone, raw_id = cursor.fetchone()
    assert "13812345678" not in raw_phone and YOUNG_ID not in raw_id


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("phone", {"phone": "12345"}),
        ("id_number", {"id_number": "320681195005010013"}),
        ("matter", {"matter_id": 999999}),
        ("group", {"group": "nonsense"}),
        ("matter", {}),
        ("priority_reason", {"priority_reason": "vip"}),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(q, field, kwargs):
    kwargs = {"matter_id": q.birth.pk, **kwargs} if field not in ("matter", "group") else kwargs
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as exc:
        services.ticket_issue(centre=q.centre, **kwargs)
    assert exc.value.fields.get(field)
    assert Ticket.objects.count() == 0 and AuditEntry.objects.count() == audit_before


def test_matter_not_served_by_the_centre_is_refused(q):
    from tests.queueing.conftest import make_matter

    elsewhere = make_matter(None, name="外地事项", code="320681000099")
    with pytest.raises(ServiceError) as exc:
        services.ticket_issue(centre=q.centre, matter_id=elsewhere.pk)
    assert "本中心不办理该事项" in exc.value.message


def test_no_tickets_outside_opening_hours(q, clock):
    clock.move_to(dt.datetime(2026, 3, 10, 17, 45, tzinfo=TZ))
    with pytest.raises(Conflict) as exc:
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    assert exc.value.code == "closed" and "17:30" in exc.value.message


def test_priority_reason_from_the_centre_rules(q):
    t = services.ticket_issue(
        centre=q.centre,
        matter_id=q.birth.pk,
        priority_reason=PriorityReason.DISABLED,
        source=TicketSource.DESK,
        by=q.guide,
    ).ticket
    assert t.priority and t.priority_reason == "disabled"
    qs = services.queue_settings(q.centre)
    qs.priority_reasons = ["elderly"]
    qs.save()
    with pytest.raises(ServiceError):
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk, priority_reason=PriorityReason.MILITARY)


def test_elderly_visitor_is_priority_from_the_id_number(q):
    """The elderly (70+ by the centre's setting) are called first within their class."""
    elder = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk, id_number=ELDER_ID).ticket
    young = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk, id_number=YOUNG_ID).ticket
    assert elder.priority and elder.priority_reason == "elderly"
    assert not young.priority


def test_phone_ticket_needs_a_phone_and_only_one_waiting_per_day(q):
    with pytest.raises(ServiceError) as exc:
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk, source=TicketSource.PHONE)
    assert "phone" in exc.value.fields
    services.ticket_issue(
        centre=q.centre, matter_id=q.birth.pk, source=TicketSource.PHONE, phone="13812345678"
    )
    with pytest.raises(Conflict):
        services.ticket_issue(
            centre=q.centre, matter_id=q.building.pk, source=TicketSource.PHONE, phone="13812345678"
        )


def test_estimated_wait_counts_those_ahead_and_open_windows(q):
    qs = services.queue_settings(q.centre)
    qs.default_service_minutes = 10
    qs.save()
    for _ in range(4):
        services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    result = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk)
    assert services.estimate_wait(result.ticket) == (4, 40)
    assert result.warnings  # no 民生 window is open yet
    open_window(q.windows["minsheng"], q.front_desk)
    assert services.estimate_wait(result.ticket) == (4, 40)
    priority = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk, priority_reason="disabled")
    assert services.estimate_wait(priority.ticket) == (0, 0) and not priority.warnings
    assert services.ahead_of(result.ticket) == 5


def test_issue_is_audited_and_published_on_commit(q, django_capture_on_commit_callbacks):
    from govhall.core import events

    with events.subscribe([f"queueing.centre.{q.centre.pk}.*"], timeout=0.5) as stream:
        with django_capture_on_commit_callbacks(execute=True):
            t = services.ticket_issue(centre=q.centre, matter_id=q.birth.pk).ticket
        event = stream.get(1)
    assert event.topic == f"queueing.centre.{q.centre.pk}.issued"
    assert event.payload["ticket"]["code"] == "A001" and event.payload["waiting"] == {"minsheng": 1}
    assert AuditEntry.objects.filter(action="ticket.issue", object_id=str(t.pk)).exists()
    assert t.status == TicketStatus.WAITING


# Statements of one ticket issue at a warm process, in a test (its transaction is a savepoint here: SAVEPOINT
# and RELEASE are counted; in production BEGIN and COMMIT).
ISSUE_STATEMENTS = {
    # the numbered INSERT (counter upsert as its WITH, the open-window check in its RETURNING), the audit
    # head lock, the audit entry with the head's move; after commit the screens' waiting counts
    "postgresql": 6,
    # the counter upsert, the INSERT, the audit head, entry and head update; after the commit the open
    # windows and the screens' waiting counts
    "sqlite": 9,
}


def test_issue_makes_a_fixed_number_of_statements(
    q, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """SITE-5 / MODE-1 (issue 15): every hall issues a ticket per visitor, on modest hardware; the statement
    count of an issue is pinned so it cannot creep back (it was 19). The audit chain and the screens' event
    are still written."""
    open_window(q.windows["minsheng"], q.front_desk)
    services.ticket_issue(centre=q.centre, group="minsheng")  # warm: settings, windows, the audit head
    with (
        django_assert_num_queries(ISSUE_STATEMENTS[connection.vendor]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.ticket_issue(
            centre=q.centre, group="minsheng", source=TicketSource.DESK, by=q.guide
        )
    assert result.ticket.code == "A002" and not result.warnings
    assert Ticket.objects.get(pk=result.ticket.pk).number == 2
    assert AuditEntry.objects.filter(action="ticket.issue", object_id=str(result.ticket.pk)).exists()
    assert services.waiting_counts(q.centre.pk) == {"minsheng": 2}
