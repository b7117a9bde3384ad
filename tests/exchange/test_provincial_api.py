"""NET-2: /api/v1/exchange/sync — the bureau lists sync records (with counts per status and whether the
platform is configured), reads one (case data masked), resends a failed one; nobody else gets in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.accounts.models import Role
from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import sync_enqueue
from tests.cases.conftest import ID_ZHANG
from tests.conftest import login
from tests.factories import UserFactory, bureau_user

pytestmark = pytest.mark.django_db

API = "/api/v1/exchange/sync"


@pytest.fixture
def records(publish_matter, settings):
    settings.PROVINCE_URL = ""
    matter, other = publish_matter(), publish_matter()
    sent = sync_enqueue(kind="matter", obj=matter, dataset="matter", payload={"name": "已送达"})
    failed = sync_enqueue(kind="matter", obj=other, dataset="matter", payload={"name": "被拒收"})
    case = sync_enqueue(
        kind="case",
        obj=other,
        dataset="accept",
        payload={"办件编号": "QD-2", "申请人证件号码": ID_ZHANG, "联系人手机号码": "13800138000"},
    )
    SyncItem.objects.filter(pk=sent.pk).update(status=SyncStatus.SENT, receipt_id="JS-1")
    SyncItem.objects.filter(pk=failed.pk).update(
        status=SyncStatus.FAILED, attempts=1, last_error="省平台拒收（HTTP 400）：缺少实施主体编码"
    )
    return {"sent": sent, "failed": failed, "case": case}


def test_bureau_lists_records_with_counts_and_configuration(client, records):
    """NET-2: list, counts per status, and `configured` false while GOVHALL_PROVINCE_URL is unset."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    body = client.get(API).json()
    assert body["configured"] is False
    assert body["count"] == 3
    assert body["counts"] == {"queued": 1, "sending": 0, "sent": 1, "failed": 1, "superseded": 0}
    by_id = {i["id"]: i for i in body["items"]}
    assert by_id[records["failed"].pk]["last_error"] == "省平台拒收（HTTP 400）：缺少实施主体编码"
    assert by_id[records["sent"].pk]["receipt_id"] == "JS-1"
    assert by_id[records["case"].pk]["dataset_name"] == "受理"
    assert "payload" not in by_id[records["case"].pk]
    assert ID_ZHANG not in client.get(API).content.decode()


def test_filters_by_status_kind_and_dataset(client, records, province):
    """NET-2: filters narrow the list; counts follow the kind; `configured` is true with a URL."""
    login(client, bureau_user())
    failed = client.get(API, {"status": "failed"}).json()
    assert [i["id"] for i in failed["items"]] == [records["failed"].pk] and failed["configured"] is True
    cases = client.get(API, {"kind": "case"}).json()
    assert [i["id"] for i in cases["items"]] == [records["case"].pk]
    assert cases["counts"]["queued"] == 1 and cases["counts"]["sent"] == 0
    assert client.get(API, {"dataset": "matter"}).json()["count"] == 2
    assert client.get(API, {"status": "lost"}).status_code == 422


def test_list_costs_the_same_queries_for_more_records(
    client, records, publish_matter, django_assert_max_num_queries
):
    """NET-2: the list does not query per record."""
    login(client, bureau_user())
    client.get(API)
    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for _ in range(5):
        sync_enqueue(kind="matter", obj=publish_matter(), dataset="matter", payload={"name": "更多"})
    with django_assert_max_num_queries(len(few)):
        assert client.get(API).json()["count"] == 8


def test_bureau_reads_one_record_with_case_data_masked(client, records):
    """NET-2: the detail carries the payload; identity numbers and phones are masked."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    body = client.get(f"{API}/{records['case'].pk}").json()
    assert body["payload"]["申请人证件号码"] == "110101********1233"
    assert body["payload"]["联系人手机号码"] == "138****8000"
    assert (body["kind"], body["dataset"], body["status"]) == ("case", "accept", "queued")
    assert client.get(f"{API}/{records['failed'].pk}").json()["payload"] == {"name": "被拒收"}


def test_bureau_admin_resends_a_failed_record(
    client, records, huey_immediate, province, django_capture_on_commit_callbacks
):
    """NET-2: POST …/retry queues it again; with the platform up it is sent; the resend is audited."""
    admin = bureau_user()
    login(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/{records['failed'].pk}/retry")
    assert response.status_code == 200 and response.json()["attempts"] == 0  # a fresh set of attempts
    row = SyncItem.objects.get(pk=records["failed"].pk)
    assert (row.status, row.receipt_id) == (SyncStatus.SENT, "JS-000001")  # sent once the resend committed
    assert province.requests[0]["body"]["data"] == {"name": "被拒收"}
    entry = AuditEntry.objects.get(action="exchange.sync.retry")
    assert (entry.actor_id, entry.before["status"]) == (admin.pk, "failed")


def test_resending_a_record_that_did_not_fail_is_a_conflict(client, records):
    """NET-2: 409 naming the current state; nothing audited."""
    login(client, bureau_user())
    response = client.post(f"{API}/{records['sent'].pk}/retry")
    assert response.status_code == 409 and "已发送" in response.json()["message"]
    assert client.post(f"{API}/999999/retry").status_code == 404
    assert not AuditEntry.objects.filter(action="exchange.sync.retry").exists()


def test_bureau_staff_without_the_admin_role_cannot_resend(client, records):
    """NET-2: an inspector reads, only the bureau admin resends."""
    login(client, bureau_user(roles=[Role.INSPECTOR]))
    assert client.post(f"{API}/{records['failed'].pk}/retry").status_code == 403
    assert SyncItem.objects.get(pk=records["failed"].pk).status == SyncStatus.FAILED


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.BACK_OFFICE, Role.VILLAGE_CLERK, Role.DEPT_LIAISON])
def test_nobody_outside_the_bureau_gets_in(client, records, role):
    """NET-2: a town director and other staff get 403 on the list, 404 on a record and its resend."""
    login(client, UserFactory(roles=[role]))
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/{records['case'].pk}").status_code == 404
    assert client.post(f"{API}/{records['failed'].pk}/retry").status_code == 404
    assert SyncItem.objects.get(pk=records["failed"].pk).status == SyncStatus.FAILED


def test_anonymous_callers_are_refused(client, records):
    assert client.get(API).status_code == 401
