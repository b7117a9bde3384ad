"""NET-2: the sync outbox — written in the caller's transaction, idempotent by payload digest, newer data
supersedes unsent older data, payload encrypted at rest, bad input refused with nothing written."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from govhall.core.crypto import sm3_hex
from govhall.core.errors import Conflict, ServiceError
from govhall.core.models import AuditEntry
from govhall.exchange.models import SyncItem, SyncStatus
from govhall.exchange.sync import canonical_json, payload_digest, sync_enqueue, sync_item_retry
from tests.cases.conftest import ID_ZHANG
from tests.factories import bureau_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(publish_matter):
    return publish_matter()


def enqueue(matter, **payload) -> SyncItem:
    return sync_enqueue(kind="matter", obj=matter, dataset="matter", payload=payload or {"name": matter.name})


def test_queued_in_the_callers_transaction_and_sent_once_it_commits(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: the record is written with the change it reports; it goes out only after commit."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        item = enqueue(matter)
        assert SyncItem.objects.get().status == SyncStatus.QUEUED
        assert province.requests == []
    assert len(callbacks) == 1
    item.refresh_from_db()
    assert item.status == SyncStatus.SENT


def test_a_rolled_back_change_queues_and_sends_nothing(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: a failed action leaves no sync record and sends nothing."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue(matter)
            raise RuntimeError("the publication failed")
    assert callbacks == []
    assert SyncItem.objects.count() == 0 and province.requests == []


def test_the_same_payload_is_not_queued_or_sent_twice(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: idempotent — the same data (whatever its key order) is the same record, sent once."""
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(matter, name="最低生活保障申请", version=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = sync_enqueue(
            kind="matter", obj=matter, dataset="matter", payload={"version": 1, "name": "最低生活保障申请"}
        )
    assert again.pk == first.pk and callbacks == []
    assert SyncItem.objects.count() == 1 and len(province.requests) == 1
    assert first.payload_digest == payload_digest(canonical_json({"name": "最低生活保障申请", "version": 1}))


def test_a_newer_payload_supersedes_an_unsent_older_one(
    huey_immediate, province, settings, matter, django_capture_on_commit_callbacks
):
    """NET-2: while the platform is unreachable a matter changes twice; only the newest data is sent."""
    settings.PROVINCE_URL = ""  # nothing goes out yet
    with django_capture_on_commit_callbacks(execute=True):
        old = enqueue(matter, name="旧名称")
        new = enqueue(matter, name="新名称")
    old.refresh_from_db()
    assert (old.status, old.superseded_by_id) == (SyncStatus.SUPERSEDED, new.pk)
    entry = AuditEntry.objects.get(action="exchange.sync.supersede")
    assert entry.object_id == str(new.pk) and entry.before == {"items": {str(old.pk): "queued"}}

    settings.PROVINCE_URL = province.url
    from govhall.exchange.sync import sync_item_send

    assert sync_item_send(item_id=old.pk) == "skipped"
    assert sync_item_send(item_id=new.pk) == "sent"
    assert [r["body"]["data"]["name"] for r in province.requests] == ["新名称"]


def test_a_failed_record_is_superseded_by_newer_data_but_other_objects_are_not(
    huey_immediate, province, matter, publish_matter
):
    """NET-2: a refused payload is replaced by the corrected one; another matter's records are untouched."""
    other = publish_matter()
    refused = enqueue(matter, name="有误")
    elsewhere = enqueue(other, name="另一事项")
    SyncItem.objects.filter(pk__in=[refused.pk, elsewhere.pk]).update(status=SyncStatus.FAILED)
    fixed = enqueue(matter, name="已更正")
    statuses = dict(SyncItem.objects.values_list("pk", "status"))
    assert statuses == {refused.pk: "superseded", elsewhere.pk: "failed", fixed.pk: "queued"}


def test_changing_back_to_earlier_data_sends_it_again(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: the digest is compared with the latest record, so A → B → A reaches the platform as A."""
    for name in ("甲", "乙", "甲"):
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(matter, name=name)
    assert [r["body"]["data"]["name"] for r in province.requests] == ["甲", "乙", "甲"]
    assert SyncItem.objects.filter(status=SyncStatus.SENT).count() == 3


def test_the_payload_is_encrypted_at_rest_and_its_digest_is_keyed(matter):
    """NET-2: a case payload holds an identity number: the table holds ciphertext and a keyed digest."""
    payload = {"申请人证件号码": ID_ZHANG, "办件编号": "X1"}
    item = sync_enqueue(kind="case", obj=matter, dataset="apply", payload=payload)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload_text, payload_digest FROM exchange_syncitem WHERE id = %s", [item.pk])
        stored, digest = cursor.fetchone()
    assert ID_ZHANG not in stored and stored.startswith("sm4g1:")
    assert digest != sm3_hex(canonical_json(payload))  # not guessable without the key
    assert SyncItem.objects.get(pk=item.pk).payload == payload


@pytest.mark.parametrize(
    ("kwargs", "field", "says"),
    [
        ({"kind": "staff"}, "kind", "无效"),
        ({"dataset": "accept"}, "dataset", "事项只能同步这些数据集"),
        ({"kind": "case", "dataset": "matter"}, "dataset", "办件只能同步这些数据集"),
        ({"payload": {}}, "payload", "非空的JSON对象"),
        ({"payload": ["not", "an", "object"]}, "payload", "非空的JSON对象"),
        ({"payload": {"bad": object()}}, "payload", "不能转换为JSON"),
        ({"obj": None}, "obj", "已保存的记录"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(matter, kwargs, field, says):
    """NET-2: each wrong argument names its field; no record, no audit entry."""
    args = {"kind": "matter", "obj": matter, "dataset": "matter", "payload": {"name": "x"}} | kwargs
    with pytest.raises(ServiceError) as caught:
        sync_enqueue(**args)
    assert list(caught.value.fields) == [field] and says in caught.value.fields[field]
    assert SyncItem.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="exchange.sync").exists()


def test_retry_puts_a_failed_record_back_and_is_audited(
    huey_immediate, province, matter, django_capture_on_commit_callbacks
):
    """NET-2: the bureau resends a refused record after the platform's side was fixed."""
    province.responses = [(422, {"message": "实施主体未在省平台登记"})]
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue(matter)
    item.refresh_from_db()
    assert item.status == SyncStatus.FAILED
    admin = bureau_user()
    with django_capture_on_commit_callbacks(execute=True):
        sync_item_retry(item=item, actor=admin)
    item.refresh_from_db()
    assert (item.status, item.attempts, item.receipt_id) == (SyncStatus.SENT, 1, "JS-000002")
    entry = AuditEntry.objects.get(action="exchange.sync.retry")
    assert entry.actor_id == admin.pk and entry.before["last_error"].endswith("实施主体未在省平台登记")


def test_only_a_failed_record_can_be_retried(matter):
    """NET-2: retrying a queued or sent record is a conflict naming its state."""
    item = enqueue(matter)
    with pytest.raises(Conflict) as caught:
        sync_item_retry(item=item, actor=bureau_user())
    assert "待发送" in caught.value.message
    assert not AuditEntry.objects.filter(action="exchange.sync.retry").exists()
