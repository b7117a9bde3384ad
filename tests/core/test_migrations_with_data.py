"""Upgrades on a database holding data (issue 20, "Upgrades"): the database is taken back to each govhall
app's first migration (every later one unapplied, so this also proves they reverse), rows a running hall
would hold are written with the models as they were then (the migration state's historical models: a town
centre with a window, a front-desk clerk, a 民政 matter, a case in 办理中 with its deadline, its timeline,
the audit chain, queue settings, a ticket and its rating), and every migration is applied up to the latest.
Then the current code works on those rows: the case is in the clerk's list with its deadline and working
days left, its applicant decrypts, its page serves; the data migrations did their part (the audit chain's
head, the timeline's allow-list, the queue's opening time). SQLite and PostgreSQL
(the suite's second pass) alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.cases.conftest import local, valid_id

APPLICANT_ID = valid_id("32068119850615001")
ACCEPTED = local(2026, 6, 9, 9, 30)  # a Tuesday
# 10 working days after 9 June 2026: 端午节 (Fri 19 June) is a holiday, so the 10th is Wed 24 June.
DUE = local(2026, 6, 24, 23, 59, 59)


# The first migration of each app the rows below belong to (accounts' initial is split in two: the second
# links a user to a centre). Their dependencies bring a few later ones along (cases' first needs catalog's
# third): the rows are written in the schema of exactly that set.
FIRSTS = [
    ("orgs", "0001_initial"),
    ("accounts", "0002_initial"),
    ("catalog", "0001_initial"),
    ("cases", "0001_case_flow"),
    ("core", "0001_initial"),
    ("queueing", "0001_initial"),
    ("reviews", "0001_initial"),
]


def _ours() -> list[str]:
    return [c.label for c in current_apps.get_app_configs() if c.name.startswith("govhall.")]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _forward_targets(executor: MigrationExecutor, nodes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The migrations `nodes` need (a first migration may depend on a later one of another app), as one
    forwards-only plan's targets: per app, the last ones of that set."""
    graph = executor.loader.graph
    needed = {n for node in nodes for n in graph.forwards_plan(node)}
    return sorted(
        n
        for n in needed
        if not any(child in needed and child[0] == n[0] for child in graph.node_map[n].children)
    )


def _write_rows(apps: Any) -> dict[str, Any]:
    """Rows as the first migrations' models knew them (no field added later is set)."""
    from govhall.core.audit import GENESIS, entry_hash
    from govhall.core.crypto import lookup_digest

    def model(label: str) -> Any:
        return apps.get_model(*label.split("."))

    division = model("orgs.Division").objects.create(
        code="320681104", name="吕四港镇", kind="town", town_class=1
    )
    town = model("orgs.Centre").objects.create(
        level="town", name="启东市吕四港镇为民服务中心", division=division
    )
    department = model("orgs.Department").objects.create(code="MZ", name="启东市民政局", short_name="民政")
    window = model("orgs.Window").objects.create(
        number=1, name="1号窗口", window_class="minsheng", centre=town
    )
    clerk = model("accounts.User").objects.create(
        username="upgrade_front",
        password=make_password(None),  # unusable: the test logs the clerk in directly
        full_name="王晓燕",
        photo="",
        unit_kind="centre",
        centre=town,
    )
    model("accounts.UserRole").objects.create(user=clerk, role="front_desk")
    matter = model("catalog.Matter").objects.create(
        code="320681MZ05001005", basic_code="320681MZ05", name="最低生活保障申请", status="active"
    )
    version = model("catalog.MatterVersion").objects.create(
        matter=matter,
        number=1,
        state="published",
        name=matter.name,
        matter_type="05",
        legal_basis="《社会救助暂行办法》",
        implementing_body=department.name,
        category="social_management",
        result_sample="",
        department=department,
        window_class="minsheng",
        promised_limit=10,
        legal_limit=20,
        case_type=2,
    )
    model("catalog.Material").objects.create(
        version=version, order=1, name="申请人居民身份证", blank_form="", sample=""
    )
    matter.current_version = version
    matter.save(update_fields=["current_version"])
    model("catalog.CentreMatter").objects.create(centre=town, matter=matter)
    case = model("cases.Case").objects.create(
        number="20260609MZ0001",
        query_password="K7P2Q9",
        matter_name=matter.name,
        applicant_kind="person",
        applicant_name="孙七",
        applicant_id_type="id_card",
        applicant_id_number=APPLICANT_ID,
        applicant_id_digest=lookup_digest(APPLICANT_ID),
        applicant_phone="13800138000",
        centre=town,
        handling_centre=town,
        department=department,
        matter=matter,
        matter_version=version,
        receiver=clerk,
        window=window,
        status="processing",
        case_type=2,
        received_at=ACCEPTED,
        accepted_at=ACCEPTED,
        due_at=DUE,
    )
    events = model("cases.CaseEvent")
    events.objects.create(case=case, action="receive", label="窗口收件", public=True)
    events.objects.create(case=case, action="assign", label="分派至张海峰（李秀梅请假）", public=True)
    settings_row = model("queueing.QueueSettings").objects.create(centre=town)
    ticket = model("queueing.Ticket").objects.create(
        centre=town,
        date=ACCEPTED.date(),
        prefix="A",
        number=1,
        window_class="minsheng",
        matter=matter,
        issued_at=ACCEPTED,
        queued_at=ACCEPTED,
    )
    rating = model("reviews.Rating").objects.create(
        centre=town,
        town_centre=town,
        ticket=ticket,
        stage="visit",
        channel="qr",
        level=1,
        created_at=ACCEPTED,
    )
    # Two audit entries chained as audit_record chains them (keyed SM3), before the chain had a head row.
    entries, prev = [], GENESIS
    for seq, action in ((1, "case.receive"), (2, "case.accept")):
        entry = model("core.AuditEntry")(
            seq=seq,
            at=ACCEPTED.astimezone(dt.UTC),
            actor_id=clerk.pk,
            actor_label=clerk.full_name,
            action=action,
            object_type="cases.case",
            object_id=str(case.pk),
            prev_hash=prev,
        )
        entry.hash = prev = entry_hash(entry)
        entry.save()
        entries.append(entry)
    return {
        "case": case.pk,
        "clerk": clerk.pk,
        "matter": matter.pk,
        "queue": settings_row.pk,
        "ticket": ticket.pk,
        "rating": rating.pk,
        "head": (entries[-1].seq, entries[-1].hash),
        "opening": settings_row.opening_time,
    }


@pytest.mark.timeout(900)  # every migration of every app, twice over; about a minute on an idle machine
@pytest.mark.django_db(transaction=True)
def test_migrations_from_the_first_keep_a_halls_rows_and_the_app_works_on_them(client):
    # STD-3 (deadlines in working days), 等保 backup/integrity: an upgrade keeps the records and the audit chain.
    ours = _ours()
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate([(label, None) for label in ours])  # an empty database: nothing of ours
        executor = _migrate(_forward_targets(executor, FIRSTS))
        old = _write_rows(executor.loader.project_state(FIRSTS).apps)
    finally:
        _migrate(latest)  # the test database is left at the latest schema, whatever happened

    from govhall.accounts.models import User
    from govhall.cases import selectors
    from govhall.cases.models import Case, CaseEvent
    from govhall.catalog.models import Matter
    from govhall.core.audit import audit_verify
    from govhall.core.models import AuditHead
    from govhall.queueing.models import QueueSettings, Ticket
    from govhall.reviews.models import Rating

    assert old["opening"] == dt.time(8, 0)  # the first migration's default
    clerk = User.objects.get(pk=old["clerk"])
    case = Case.objects.get(pk=old["case"])
    assert [row.pk for row in selectors.case_list(clerk)[:10]] == [case.pk]
    assert case.due_at == DUE and case.status == "processing"
    assert case.due_waits_for is None  # added later: a known year, the deadline is final
    assert selectors.remaining(case, now=ACCEPTED) == 10
    assert case.applicant_id_number == APPLICANT_ID and case.applicant_phone == "13800138000"
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    assert "20260609MZ0001" in page.content.decode() and "最低生活保障申请" in page.content.decode()
    assert Matter.objects.get(pk=old["matter"]).current_version.promised_limit == 10

    # The data migrations on the rows that were there.
    # cases 0005: the staff names in the internal row are no longer public; the applicant sees the receipt
    assert list(CaseEvent.objects.filter(case=case, public=True).values_list("action", flat=True)) == [
        "receive"
    ]
    assert [e.label for e in selectors.public_timeline(case)] == ["窗口收件"]
    assert QueueSettings.objects.get(pk=old["queue"]).opening_time == dt.time(8, 30)  # queueing 0003
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == old["head"]  # core 0002: the head taken from the last entry
    assert audit_verify().ok
    assert (
        Ticket.objects.filter(pk=old["ticket"]).exists() and Rating.objects.filter(pk=old["rating"]).exists()
    )
