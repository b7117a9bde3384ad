"""Issue 15 (MODE-1, NET-2): what one case action costs in statements, through the API with an API token
as the halls' clients call it, and that the savings keep every effect: each action audited (the chain
verifies), each dataset the case reached queued once for the provincial platform, an older undelivered
record of the same dataset superseded (audited)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.accounts.tokens import token_create
from govhall.core.audit import audit_verify
from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from tests.cases.conftest import ID_ZHANG, all_received, applicant, local

pytestmark = pytest.mark.django_db

# Statements per action after the API token is remembered (PostgreSQL, SQLite). Lower them when a change
# removes statements; never raise them to make a change pass.
STATEMENTS = {
    "receive": (15, 16),
    "accept": (31, 32),
    "pass": (23, 25),
    "finish": (22, 24),
    "deliver": (17, 19),
}


@pytest.fixture
def sync_on(settings):
    settings.PROVINCE_SYNC_AUTO = True


def test_a_lifecycle_through_the_api_costs_a_fixed_number_of_statements(flow, api_client, sync_on):
    tokens = {
        who: token_create(user=user, name="测试")[1]
        for who, user in (
            ("clerk", flow.front_desk),
            ("reviewer", flow.back_office),
            ("approver", flow.approver),
        )
    }

    def post(who: str, url: str, body: dict) -> dict:
        r = api_client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {tokens[who]}"
        )
        assert r.status_code in (200, 201), r.content
        return r.json()

    counts: dict[str, int] = {}
    receive_body = {
        "matter_id": flow.matter.pk,
        "window_id": flow.windows["minsheng"].pk,
        "applicant": applicant(),
        "materials": all_received(flow.matter),
    }
    # The clock stands still: a token's last use is written at most every five minutes, not by chance here.
    with time_machine.travel(local(2026, 6, 9, 9, 30), tick=False):
        for token in tokens.values():  # each token checked once and remembered, as in a running server
            api_client.get(f"/api/v1/orgs/centres/{flow.town.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        with CaptureQueriesContext(connection) as statements:
            case = post("clerk", "/api/v1/cases/", receive_body)
        counts["receive"] = len(statements)
        url = f"/api/v1/cases/{case['id']}"
        steps = [
            ("accept", "clerk", "/accept", {}),
            ("pass", "reviewer", "/pass", {"opinion": "同意"}),
            ("finish", "approver", "/finish", {"result": "approved", "certificate_no": "B-1"}),
            (
                "deliver",
                "clerk",
                "/deliver",
                {"method": "window", "collector_name": "张三", "collector_id_number": ID_ZHANG},
            ),
        ]
        for action, who, suffix, body in steps:
            with CaptureQueriesContext(connection) as statements:
                post(who, url + suffix, body)
            counts[action] = len(statements)
    column = 0 if connection.vendor == "postgresql" else 1
    assert counts == {action: both[column] for action, both in STATEMENTS.items()}

    actions = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case["id"]))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["case.receive", "case.accept", "case.step.pass", "case.finish", "case.deliver"]
    assert audit_verify().ok
    items = SyncItem.objects.filter(object_id=str(case["id"])).order_by("pk")
    live = {i.dataset: i for i in items if i.status != SyncStatus.SUPERSEDED}
    assert sorted(live) == ["accept", "apply", "finish", "process"]
    assert all(i.status == SyncStatus.QUEUED for i in live.values())  # no platform configured here
    assert live["finish"].payload["送达方式"] and live["accept"].payload["受理人"]
    assert [s["状态"] for s in live["process"].payload["办理环节"]] == ["已办", "已办"]
    superseded = [i for i in items if i.status == SyncStatus.SUPERSEDED]
    assert {i.dataset for i in superseded} == {"process", "finish"}
    by_pk = {i.pk: i for i in items}
    for old in superseded:  # each by a newer record of the same dataset
        newer = by_pk[old.superseded_by_id]
        assert newer.dataset == old.dataset and newer.pk > old.pk
    supersede_entries = AuditEntry.objects.filter(action="exchange.sync.supersede").count()
    assert supersede_entries == len(superseded)


def test_the_sync_reads_a_cases_rows_without_joining_other_tables(flow, sync_on):
    """The 申请 and 办理 datasets the provincial sync builds after each action read the case's materials,
    steps and suspensions: each from its own table (a step with its assignee), not joined with the case,
    its centres and its matter again, nor ordered through the case (issue 15)."""
    from govhall.cases.services import case_accept, case_step_pass
    from tests.cases.conftest import receive

    with time_machine.travel(local(2026, 6, 9, 9, 30), tick=False):
        case = receive(flow)
        with CaptureQueriesContext(connection) as statements:
            case = case_accept(actor=flow.front_desk, case=case)
            case_step_pass(actor=flow.back_office, case=case, opinion="同意")
    reads = [
        q["sql"]
        for q in statements
        if q["sql"].startswith("SELECT")
        and re.search(r'FROM "cases_(casematerial|casestep|suspension)"', q["sql"])
    ]
    assert {re.search(r'FROM "(\w+)"', sql)[1] for sql in reads} >= {"cases_casestep", "cases_suspension"}
    for sql in reads:
        assert set(re.findall(r'JOIN "(\w+)"', sql)) <= {"accounts_user"}, sql
