"""NET-2: sync records sent to a REAL local HTTP server standing in for the provincial platform — the
receipt kept, the HMAC-SM3 signature checked by the stand-in, 5xx and timeouts retried with backoff, 4xx
refusals final with the platform's message kept, send and failure audited, order kept per object."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    STALE_SENDING,
    SWEEP_GRACE,
    sync_enqueue,
    sync_item_send,
    sync_items_requeue_due,
)
from govhall.exchange.tasks import send_sync_item_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(publish_matter):
    return publish_matter()


def queue(captured, matter, *, dataset="matter", kind="matter", **payload) -> SyncItem:
    payload = payload or {"implement_code": matter.code, "name": matter.name}
    with captured(execute=True):
        item = sync_enqueue(kind=kind, obj=matter, dataset=dataset, payload=payload)
    item.refresh_from_db()
    return item


def test_delivery_stores_the_platforms_receipt_and_is_audited(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: a committed record is sent once, the platform's receipt id is kept, the send is audited."""
    item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts, item.receipt_id, item.last_error) == (
        SyncStatus.SENT,
        1,
        "JS-000001",
        "",
    )
    assert item.sent_at is not None
    [request] = province.requests
    assert request["path"] == "/exchange/v1/receive"
    assert request["body"] == {
        "requestId": f"govhall-sync-{item.pk}",
        "appId": "qidong-govhall",
        "objectType": "matter",
        "objectId": matter.code,
        "dataset": "matter",
        "datasetName": "事项",
        "data": {"implement_code": matter.code, "name": matter.name},
    }
    assert request["headers"]["X-Request-Id"] == f"govhall-sync-{item.pk}"
    assert request["headers"]["Content-Type"].startswith("application/json")
    entry = AuditEntry.objects.get(action="exchange.sync.send")
    assert entry.object_id == str(item.pk)
    assert entry.after["receipt_id"] == "JS-000001" and entry.after["object"] == matter.code


def test_the_stand_in_verifies_the_hmac_sm3_signature(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: X-Signature = HMAC-SM3(secret, timestamp + nonce + body), checked by the platform; every
    request has a fresh nonce."""
    queue(django_capture_on_commit_callbacks, matter, name="一")
    queue(django_capture_on_commit_callbacks, matter, name="二")
    assert [r["signature_ok"] for r in province.requests] == [True, True]
    first, second = (r["headers"] for r in province.requests)
    assert first["X-App-Id"] == "qidong-govhall"
    assert first["X-Nonce"] != second["X-Nonce"] and len(first["X-Nonce"]) == 32
    assert abs(int(first["X-Timestamp"]) / 1000 - timezone.now().timestamp()) < 60


def test_a_wrong_secret_is_refused_by_the_platform_and_fails_for_good(
    huey_immediate, province, settings, matter, django_capture_on_commit_callbacks
):
    """NET-2: the stand-in rejects a request signed with another secret (401); the record fails with the
    platform's message and the failure is audited."""
    settings.PROVINCE_SECRET = "not-the-shared-secret"
    item = queue(django_capture_on_commit_callbacks, matter)
    assert province.signature_failures == 1
    assert (item.status, item.attempts) == (SyncStatus.FAILED, 1)
    assert "HTTP 401" in item.last_error and "签名验证失败" in item.last_error
    entry = AuditEntry.objects.get(action="exchange.sync.fail")
    assert entry.object_id == str(item.pk) and "签名验证失败" in entry.after["error"]
    assert not AuditEntry.objects.filter(action="exchange.sync.send").exists()


def test_a_500_is_retried_after_the_backoff_and_then_delivered(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: 500 then success on retry; the retry is scheduled in the task queue; same request id."""
    province.responses = [(500, {"code": 500, "message": "系统繁忙，请稍后再试"})]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts) == (SyncStatus.QUEUED, 1)
    assert "HTTP 500" in item.last_error and "系统繁忙" in item.last_error
    assert item.next_attempt_at == start + dt.timedelta(seconds=RETRY_DELAYS[0])
    [task] = huey_immediate.scheduled()
    assert (task.name, task.args) == ("send_sync_item_task", (item.pk,))
    assert abs(task.eta.replace(tzinfo=dt.UTC) - item.next_attempt_at) < dt.timedelta(seconds=2)

    with time_machine.travel(start + dt.timedelta(seconds=RETRY_DELAYS[0] - 1), tick=False):
        assert send_sync_item_task(item.pk).get() == "skipped"  # a duplicate task before it is due
    assert len(province.requests) == 1

    with time_machine.travel(start + dt.timedelta(seconds=RETRY_DELAYS[0] + 1), tick=False):
        assert sync_item_send(item_id=item.pk) == "sent"  # what the scheduled task does
    item.refresh_from_db()
    assert (item.status, item.attempts, item.last_error, item.receipt_id) == (
        SyncStatus.SENT,
        2,
        "",
        "JS-000002",
    )
    assert {r["headers"]["X-Request-Id"] for r in province.requests} == {f"govhall-sync-{item.pk}"}
    assert AuditEntry.objects.filter(action="exchange.sync.send").count() == 1
    assert not AuditEntry.objects.filter(action="exchange.sync.fail").exists()


def test_a_400_is_final_and_the_platforms_message_is_kept(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: a validation refusal (4xx) is not retried; the platform's message is kept for the bureau."""
    province.responses = [(400, {"code": 40001, "message": "事项类型代码不合法：99"})]
    item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts) == (SyncStatus.FAILED, 1)
    assert item.last_error == "省平台拒收（HTTP 400）：事项类型代码不合法：99"
    assert huey_immediate.scheduled() == []
    entry = AuditEntry.objects.get(action="exchange.sync.fail")
    assert entry.after["error"] == item.last_error and entry.before == {"status": "sending"}


def test_a_refusal_inside_a_200_answer_is_final(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: gateways that answer 200 with a business error code refuse the data just the same."""
    province.responses = [(200, {"code": "E102", "msg": "办件编号重复"})]
    item = queue(django_capture_on_commit_callbacks, matter)
    assert item.status == SyncStatus.FAILED
    assert "E102" in item.last_error and "办件编号重复" in item.last_error


def test_a_timeout_is_retried(huey_immediate, province, settings, matter, django_capture_on_commit_callbacks):
    """NET-2: a platform that does not answer in time is tried again later."""
    settings.PROVINCE_TIMEOUT = 0.5
    province.responses = [("sleep", 2)]
    item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts) == (SyncStatus.QUEUED, 1)
    assert item.last_error == "省平台在0.5秒内没有应答"


def test_an_unreachable_platform_is_retried(
    huey_immediate, settings, matter, django_capture_on_commit_callbacks
):
    """NET-2: no connection is a temporary failure."""
    settings.PROVINCE_URL, settings.PROVINCE_APP_ID, settings.PROVINCE_SECRET = (
        "http://127.0.0.1:1/x",
        "a",
        "s",
    )
    item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts) == (SyncStatus.QUEUED, 1)
    assert item.last_error.startswith("无法连接省平台")


def test_gives_up_after_the_last_attempt(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: after MAX_ATTEMPTS temporary failures the record fails for good, audited once."""
    province.responses = [(503, {"message": "维护中"})] * MAX_ATTEMPTS
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        item = queue(django_capture_on_commit_callbacks, matter)
    for delay in RETRY_DELAYS:
        moment += dt.timedelta(seconds=delay)
        with time_machine.travel(moment, tick=False):
            sync_item_send(item_id=item.pk)
    item.refresh_from_db()
    assert (item.status, item.attempts) == (SyncStatus.FAILED, MAX_ATTEMPTS)
    assert "HTTP 503" in item.last_error and "维护中" in item.last_error
    assert len(province.requests) == MAX_ATTEMPTS
    assert AuditEntry.objects.filter(action="exchange.sync.fail", object_id=str(item.pk)).count() == 1


def test_unset_url_keeps_records_queued_until_the_platform_is_configured(
    huey_immediate, province, settings, matter, django_capture_on_commit_callbacks
):
    """NET-2: without GOVHALL_PROVINCE_URL nothing is sent and nothing is dropped; once it is set the sweep
    sends what waited."""
    settings.PROVINCE_URL = ""
    item = queue(django_capture_on_commit_callbacks, matter)
    assert (item.status, item.attempts, item.last_error) == (SyncStatus.QUEUED, 0, "")
    assert sync_item_send(item_id=item.pk) == "not_configured"
    later = timezone.now() + dt.timedelta(hours=5)
    assert sync_items_requeue_due(now=later) == 0
    item.refresh_from_db()
    assert item.status == SyncStatus.QUEUED and province.requests == []

    settings.PROVINCE_URL = province.url
    assert sync_items_requeue_due(now=later) == 1
    item.refresh_from_db()
    assert (item.status, item.receipt_id) == (SyncStatus.SENT, "JS-000001")


def test_sweep_sends_records_whose_task_was_lost_and_revives_interrupted_sends(
    huey_immediate, province, matter, publish_matter
):
    """NET-2: the periodic sweep finds lost sends (no on-commit task) and sends cut off mid-way."""
    other = publish_matter()
    lost = sync_enqueue(kind="matter", obj=matter, dataset="matter", payload={"name": "任务丢失"})
    interrupted = sync_enqueue(kind="matter", obj=other, dataset="matter", payload={"name": "发送中断"})
    now = timezone.now()
    SyncItem.objects.filter(pk=lost.pk).update(next_attempt_at=now - SWEEP_GRACE - dt.timedelta(seconds=1))
    SyncItem.objects.filter(pk=interrupted.pk).update(
        status=SyncStatus.SENDING, attempts=1, claimed_at=now - STALE_SENDING - dt.timedelta(minutes=1)
    )
    assert sync_items_requeue_due(now=now) == 2
    assert dict(SyncItem.objects.values_list("pk", "status")) == {lost.pk: "sent", interrupted.pk: "sent"}
    assert sorted(r["body"]["data"]["name"] for r in province.requests) == ["任务丢失", "发送中断"]


def test_a_record_is_never_sent_twice_by_two_workers(huey_immediate, province, matter):
    """NET-2: the claim (queued → sending) lets one worker send it."""
    item = sync_enqueue(kind="matter", obj=matter, dataset="matter", payload={"name": "只发一次"})
    assert sync_item_send(item_id=item.pk) == "sent"
    assert sync_item_send(item_id=item.pk) == "skipped"
    assert len(province.requests) == 1


def test_records_of_one_object_go_out_in_the_order_they_were_queued(
    huey_immediate, province, flow, django_capture_on_commit_callbacks
):
    """NET-2: 受理 waits while 申请 of the same case is still being retried, then follows it."""
    from tests.cases.conftest import receive

    case = receive(flow)
    province.responses = [(502, {"message": "网关错误"})]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        apply = queue(django_capture_on_commit_callbacks, case, kind="case", dataset="apply", step="申请")
        accept = queue(django_capture_on_commit_callbacks, case, kind="case", dataset="accept", step="受理")
    assert (apply.status, accept.status, accept.attempts) == (SyncStatus.QUEUED, SyncStatus.QUEUED, 0)
    assert accept.next_attempt_at > apply.next_attempt_at  # waits behind it
    assert province.datasets == [(case.number, "apply")]

    moment = accept.next_attempt_at + dt.timedelta(seconds=1)  # 申请's retry is due too, but has not run yet
    with time_machine.travel(moment, tick=False):
        assert sync_item_send(item_id=accept.pk) == "waiting"
        assert sync_item_send(item_id=apply.pk) == "sent"
    accept.refresh_from_db()
    assert (accept.status, accept.attempts) == (SyncStatus.QUEUED, 0)
    with time_machine.travel(accept.next_attempt_at, tick=False):
        assert sync_item_send(item_id=accept.pk) == "sent"
    assert province.datasets == [(case.number, "apply"), (case.number, "apply"), (case.number, "accept")]
