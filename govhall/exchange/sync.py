"""Provincial platform sync (NET-2): an outbox of dataset snapshots, sent after commit, retried, audited.

Other apps call, inside the transaction of the change they report (and holding the object's row lock,
as their services already do):

- ``sync_matter_version(version=v)`` when a matter version is published (publish, 暂停, 恢复, 取消);
- ``sync_case(case=c, dataset="apply" | "accept" | "process" | "finish")`` when a case reaches or changes
  that dataset, or ``sync_case_progress(case=c)`` to queue every dataset the case has so far;
- ``sync_enqueue(kind=…, obj=…, dataset=…, payload=…)`` for anything else.

Rules:
- The same payload (keyed SM3 digest of its canonical JSON) as the latest record for that object and
  dataset is not queued again: the same data is never sent twice.
- A newer payload for the same object and dataset supersedes older ones not yet delivered (queued or
  failed); one already being sent finishes first.
- Records of one object go out in the order they were queued (申请 before 受理 before 办结): a record waits
  while an earlier one of the same object is queued or being sent.
- Without GOVHALL_PROVINCE_URL nothing is sent and nothing is dropped: records stay queued until the
  platform is configured; the sweep then sends them.
- Sending is at-least-once (claim queued → sending, a sweep revives interrupted sends); the request id is
  the same on every attempt so the platform can drop a repeat. Delivery and final failure are audited.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from govhall.catalog.models import Matter, VersionState
from govhall.core.audit import audit_record
from govhall.core.compiled import CompiledRead
from govhall.core.crypto import sm3_hmac
from govhall.core.errors import Conflict, field_error
from govhall.exchange.models import (
    DATASETS_OF_KIND,
    TARGET_OF_KIND,
    SyncDataset,
    SyncItem,
    SyncKind,
    SyncStatus,
)
from govhall.exchange.payloads import case_payload, case_source, matter_payload
from govhall.exchange.provincial import OutgoingRecord, ProvinceError, configured_targets, get_client

logger = logging.getLogger("govhall.exchange.sync")

RETRY_DELAYS = (60, 300, 900, 3600, 14400)  # seconds to wait after failed attempts 1..5
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1  # the sixth failure is final (about five and a half hours in)
STALE_SENDING = dt.timedelta(minutes=10)
SWEEP_GRACE = dt.timedelta(minutes=2)  # a queued record this overdue lost its task: enqueue it again
WAIT_FOR_EARLIER = 30  # seconds a record waits, at least, behind an earlier record of the same object
UNDELIVERED = (SyncStatus.QUEUED, SyncStatus.SENDING)


# --- payload identity ------------------------------------------------------------------------------


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
    )


@lru_cache(maxsize=4)
def _digest_key(field_key_hex: str) -> bytes:
    return sm3_hmac(bytes.fromhex(field_key_hex), b"govhall-exchange-payload-digest")


def payload_digest(text: str) -> str:
    """Keyed SM3 (HMAC-SM3) of the canonical JSON. Keyed because a case payload holds an identity number:
    a plain hash could be checked against guesses by anyone who can read the table."""
    return sm3_hmac(_digest_key(settings.FIELD_KEY), text.encode()).hex()


def _label(kind: str, obj: models.Model) -> str:
    for attr in ("number", "code"):  # a case's 办件编号, a matter's 实施编码
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value[:120]
    return str(obj.pk)


# --- queueing ----------------------------------------------------------------------------------------


def _enqueue(item_id: int, delay: float | None = None) -> None:
    # tasks.py imports this module at its top (its task calls sync_item_send): a call-time import
    from govhall.exchange.tasks import send_sync_item_task

    if delay:
        send_sync_item_task.schedule(args=(item_id,), delay=delay)
    else:
        send_sync_item_task(item_id)


def _enqueue_on_commit(item_id: int) -> None:
    # robust: the change being reported is committed whatever happens here; a record whose task could not
    # be queued (Redis down) is picked up by the sweep.
    transaction.on_commit(lambda: _enqueue(item_id), robust=True)


def _checked_text(kind: str, obj: Any, dataset: str, payload: Any) -> str:
    """The payload's canonical JSON, after checking what is being queued."""
    if kind not in DATASETS_OF_KIND:
        raise field_error("kind", f"同步对象类型“{kind}”无效，应为：" + "、".join(DATASETS_OF_KIND) + "。")
    if dataset not in DATASETS_OF_KIND[kind]:
        allowed = "、".join(f"{d}（{SyncDataset(d).label}）" for d in DATASETS_OF_KIND[kind])
        raise field_error(
            "dataset", f"{SyncKind(kind).label}只能同步这些数据集：{allowed}；收到“{dataset}”。"
        )
    if not isinstance(obj, models.Model) or obj.pk is None:
        raise field_error("obj", "同步对象必须是已保存的记录。")
    if not isinstance(payload, dict) or not payload:
        raise field_error("payload", "同步数据必须是非空的JSON对象。")
    try:
        return canonical_json(payload)
    except (TypeError, ValueError) as exc:
        raise field_error("payload", f"同步数据不能转换为JSON：{exc}") from None


# An object's records that are not superseded, newest first: read on every case action (issue 15).
_LIVE_RECORDS = CompiledRead(
    lambda kind, object_id: (
        SyncItem.objects.filter(kind=kind, object_id=object_id)
        .exclude(status=SyncStatus.SUPERSEDED)
        .order_by("-id")
    ),
    keys=(str, str),
)


def _known(kind: str, object_id: str, dataset: str | None = None) -> list[SyncItem]:
    """An object's records that are not superseded (of one dataset, or all), newest first: the latest
    of a dataset and the older ones a new payload supersedes, in one read."""
    if dataset is None:
        return _LIVE_RECORDS.all(kind, object_id)
    return list(_LIVE_RECORDS.queryset(kind, object_id).filter(dataset=dataset))


def _queue(
    *, kind: str, obj: Any, dataset: str, payload: Any, stream: str = "", known: list[SyncItem] | None = None
) -> tuple[SyncItem, bool]:
    """Queue one dataset of one object. `known`: the object's records that are not superseded (`_known`),
    when the caller read them once for several datasets (a case's four)."""
    text = _checked_text(kind, obj, dataset, payload)
    digest = payload_digest(text)
    object_id = str(obj.pk)
    # savepoint=False: inside the caller's transaction (a case action) nothing here needs its own savepoint;
    # an error rolls the whole change back. Outside one, this is the transaction.
    with transaction.atomic(savepoint=False):
        if known is None:
            known = _known(kind, object_id, dataset)
        mine = [row for row in known if row.dataset == dataset]
        if mine and mine[0].payload_digest == digest:
            return mine[0], False  # queued, being sent, sent or refused already: never the same data twice
        item = SyncItem.objects.create(
            kind=kind,
            object_id=object_id,
            object_label=_label(kind, obj),
            dataset=dataset,
            payload_text=text,
            payload_digest=digest,
            stream=stream[:40],
        )
        older = {r.pk: r.status for r in mine if r.status in (SyncStatus.QUEUED, SyncStatus.FAILED)}
        if older:
            _supersede(item, older)
        _enqueue_on_commit(item.pk)
    return item, True


def _supersede(item: SyncItem, older: dict[int, str]) -> None:
    """Mark the older undelivered records of `item`'s object and dataset superseded by it, audited."""
    rows = SyncItem.objects.filter(pk__in=list(older), status__in=[SyncStatus.QUEUED, SyncStatus.FAILED])
    changed = rows.update(status=SyncStatus.SUPERSEDED, superseded_by=item, updated_at=timezone.now())
    if changed != len(older):  # one was claimed by a sender meanwhile: name only those superseded
        taken = set(SyncItem.objects.filter(superseded_by=item).values_list("pk", flat=True))
        older = {pk: status for pk, status in older.items() if pk in taken}
    if older:
        audit_record(
            action="exchange.sync.supersede",
            obj=item,
            before={"items": {str(pk): status for pk, status in older.items()}},
            after={"status": SyncStatus.SUPERSEDED, "superseded_by": item.pk},
            note=f"{item.get_kind_display()} {item.object_label} 的{item.get_dataset_display()}数据有更新",
        )


def sync_enqueue(*, kind: str, obj: Any, dataset: str, payload: dict[str, Any], stream: str = "") -> SyncItem:
    """Queue one dataset of one object for the platform its kind goes to (`TARGET_OF_KIND`), in the
    caller's transaction. Returns the new record, or the existing one when this payload is already the
    latest for that object and dataset. Records with the same `stream` go out in the order they were queued
    (across objects: the 好差评 feed keeps its order through an outage); without one, per object."""
    return _queue(kind=kind, obj=obj, dataset=dataset, payload=payload, stream=stream)[0]


def sync_matter_version(*, version: Any) -> SyncItem:
    """The catalogue's hook: queue the 事项 dataset of a just-published version (publish, 暂停, 恢复, 取消)."""
    if version.state != VersionState.PUBLISHED:
        raise Conflict(
            f"只有现行版本可以同步到省平台；该版本（第{version.number}版）当前状态为“{version.get_state_display()}”。"
        )
    return sync_enqueue(
        kind=SyncKind.MATTER, obj=version.matter, dataset=SyncDataset.MATTER, payload=matter_payload(version)
    )


def sync_case(*, case: Any, dataset: str) -> SyncItem:
    """The case app's hook: queue one case dataset (apply 申请, accept 受理, process 办理, finish 办结)."""
    if dataset not in DATASETS_OF_KIND[SyncKind.CASE]:
        raise field_error("dataset", f"办件数据集“{dataset}”无效，应为 apply、accept、process 或 finish。")
    payload = case_payload(case, dataset)
    if payload is None:
        raise Conflict(
            f"办件 {case.number} 当前状态为“{case.get_status_display()}”，"
            f"还没有{SyncDataset(dataset).label}数据可以同步。"
        )
    return sync_enqueue(kind=SyncKind.CASE, obj=case, dataset=dataset, payload=payload)


def _case_progress(case: Any) -> list[tuple[SyncItem, bool]]:
    done = []
    data = case_source().datasets(case)  # read the case once for all four datasets
    known = _known(SyncKind.CASE, str(case.pk))  # and its records once
    for dataset in DATASETS_OF_KIND[SyncKind.CASE]:
        payload = case_payload(case, dataset, data)
        if payload is not None:
            done.append(_queue(kind=SyncKind.CASE, obj=case, dataset=dataset, payload=payload, known=known))
    return done


def on_matter_published(*, version: Any) -> None:
    """Connected to the catalogue's `matter_published` hook (ExchangeConfig.ready()): called inside each
    publish / 暂停 / 恢复 / 取消 transaction."""
    if settings.PROVINCE_SYNC_AUTO:
        sync_matter_version(version=version)


def on_case_changed(*, case: Any) -> None:
    """The case service calls this inside each action's transaction."""
    if settings.PROVINCE_SYNC_AUTO:
        sync_case_progress(case=case)


def sync_case_progress(*, case: Any) -> list[SyncItem]:
    """Queue every dataset the case has reached; unchanged ones are not queued again. One call after any
    change of the case keeps the platform up to date."""
    return [item for item, _ in _case_progress(case)]


# --- sending -----------------------------------------------------------------------------------------


def _same_line(item: SyncItem) -> models.Q:
    """The records `item` keeps its order with: its stream's, else its object's."""
    if item.stream:
        return models.Q(stream=item.stream)
    return models.Q(kind=item.kind, object_id=item.object_id, stream="")


def _wait_behind(item: SyncItem, now: dt.datetime) -> float | None:
    """Seconds to wait while an earlier record of the same stream (or object) is undelivered, else None."""
    earlier = (
        SyncItem.objects.filter(_same_line(item), pk__lt=item.pk, status__in=UNDELIVERED)
        .order_by("-next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if earlier is None:
        return None
    return max(WAIT_FOR_EARLIER, (earlier - now).total_seconds() + WAIT_FOR_EARLIER)


def _release_next(item: SyncItem) -> None:
    """After a delivery in a stream, the next record waiting behind it goes at once: a feed's back-fill after
    an outage (hundreds of ratings) runs through in order instead of in 30-second steps. Per-object lines
    (a case's datasets) keep their plain wait."""
    if not item.stream:
        return
    now = timezone.now()
    following = (
        SyncItem.objects.filter(_same_line(item), pk__gt=item.pk, status=SyncStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", "attempts")
        .first()
    )
    if following is None or following[1]:  # one that failed itself keeps its own back-off
        return
    if SyncItem.objects.filter(pk=following[0], status=SyncStatus.QUEUED).update(next_attempt_at=now):
        _enqueue(following[0])


def _finish(item: SyncItem, **changes: Any) -> bool:
    """Leave `sending` for the outcome; False when the sweep already took the record back."""
    return bool(
        SyncItem.objects.filter(pk=item.pk, status=SyncStatus.SENDING).update(
            updated_at=timezone.now(), **changes
        )
    )


def sync_item_send(*, item_id: int) -> str:
    """One delivery attempt (the task calls this). Returns sent / retry / failed / waiting / skipped /
    not_configured."""
    now = timezone.now()
    item = SyncItem.objects.filter(pk=item_id).first()
    if item is None or item.status != SyncStatus.QUEUED or item.next_attempt_at > now:
        return "skipped"  # sent, being sent, failed for good, superseded, or not due yet
    client = get_client(item.target)
    if client is None:
        return "not_configured"  # stays queued; the sweep sends it once the platform is configured
    wait = _wait_behind(item, now)
    if wait is not None:
        waiting = SyncItem.objects.filter(pk=item.pk, status=SyncStatus.QUEUED).update(
            next_attempt_at=now + dt.timedelta(seconds=wait)
        )
        if waiting:
            _enqueue(item.pk, delay=wait)
        return "waiting"
    claimed = SyncItem.objects.filter(pk=item.pk, status=SyncStatus.QUEUED, next_attempt_at__lte=now).update(
        status=SyncStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    if not claimed:
        return "skipped"  # another worker took it
    item.refresh_from_db()
    record = OutgoingRecord(
        request_id=f"govhall-sync-{item.pk}",
        object_type=item.kind,
        object_id=item.object_label,
        dataset=item.dataset,
        dataset_name=item.get_dataset_display(),
        data=item.payload,
    )
    try:
        receipt = client.send(record)
    except Exception as exc:
        if not isinstance(exc, ProvinceError):
            logger.exception("provincial sync of item %s failed", item.pk)
        return _failed(item, exc, now)
    with transaction.atomic():
        if _finish(item, status=SyncStatus.SENT, sent_at=timezone.now(), receipt_id=receipt, last_error=""):
            audit_record(
                action="exchange.sync.send",
                obj=item,
                before={"status": SyncStatus.SENDING},
                after={
                    "status": SyncStatus.SENT,
                    "receipt_id": receipt,
                    "attempts": item.attempts,
                    "dataset": item.dataset,
                    "object": item.object_label,
                    "payload_digest": item.payload_digest,
                },
            )
    _release_next(item)
    return "sent"


def _failed(item: SyncItem, exc: Exception, now: dt.datetime) -> str:
    permanent = isinstance(exc, ProvinceError) and exc.permanent
    error = (str(exc) or exc.__class__.__name__)[:500]
    if permanent or item.attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            if _finish(item, status=SyncStatus.FAILED, last_error=error):
                audit_record(
                    action="exchange.sync.fail",
                    obj=item,
                    before={"status": SyncStatus.SENDING},
                    after={
                        "status": SyncStatus.FAILED,
                        "attempts": item.attempts,
                        "error": error,
                        "dataset": item.dataset,
                        "object": item.object_label,
                    },
                )
        logger.warning("sync item %s failed for good after %s attempt(s): %s", item.pk, item.attempts, error)
        return "failed"
    delay = RETRY_DELAYS[item.attempts - 1]
    if _finish(
        item, status=SyncStatus.QUEUED, last_error=error, next_attempt_at=now + dt.timedelta(seconds=delay)
    ):
        _enqueue(item.pk, delay=delay)
    return "retry"


def sync_items_requeue_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic sweep: put back records whose worker died mid-send, and enqueue queued records whose
    task was lost (the queue was down at commit, the process stopped, or the platform was not configured
    yet). Returns how many were enqueued; nothing while the platform is not configured."""
    targets = configured_targets()
    if not targets:
        return 0
    kinds = [kind for kind, target in TARGET_OF_KIND.items() if target in targets]
    now = now or timezone.now()
    stale = SyncItem.objects.filter(
        kind__in=kinds, status=SyncStatus.SENDING, claimed_at__lt=now - STALE_SENDING
    )
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=SyncStatus.FAILED, last_error="发送过程中断", updated_at=now
    )
    revived = list(stale.values_list("pk", flat=True)[:limit])
    SyncItem.objects.filter(pk__in=revived, status=SyncStatus.SENDING).update(
        status=SyncStatus.QUEUED, next_attempt_at=now, last_error="发送过程中断，将重试", updated_at=now
    )
    lost = list(
        SyncItem.objects.filter(
            kind__in=kinds, status=SyncStatus.QUEUED, next_attempt_at__lte=now - SWEEP_GRACE
        )
        .exclude(pk__in=revived)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[: max(limit - len(revived), 0)]
    )
    due = revived + lost
    for pk in due:
        _enqueue(pk)
    return len(due)


def sync_item_retry(*, item: SyncItem, actor: Any) -> SyncItem:
    """The bureau sends a refused or given-up record again (a fresh set of attempts), e.g. after the
    platform fixed its side or the matter it depends on was synced."""
    with transaction.atomic():
        row = SyncItem.objects.select_for_update().get(pk=item.pk)
        if row.status != SyncStatus.FAILED:
            raise Conflict(
                f"只有发送失败的同步记录可以重新发送；该记录当前状态为“{row.get_status_display()}”。"
            )
        before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
        row.status, row.attempts, row.next_attempt_at = SyncStatus.QUEUED, 0, timezone.now()
        row.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        audit_record(
            action="exchange.sync.retry", obj=row, before=before, after={"status": row.status}, actor=actor
        )
        _enqueue_on_commit(row.pk)
    return row


# --- bulk (the exchange_sync command) ----------------------------------------------------------------


def sync_all_matters(*, batch: int = 200) -> tuple[int, int]:
    """Queue the current version of every published matter. Returns (queued, unchanged)."""
    queued = unchanged = 0
    ids = list(
        Matter.objects.filter(current_version__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            rows = (
                Matter.objects.filter(pk__in=ids[start : start + batch])
                .order_by("pk")
                .select_related("current_version__department", "current_version__matter")
                .prefetch_related("current_version__materials")
            )
            for matter in rows:
                version = matter.current_version
                assert version is not None  # filtered above
                version.matter = matter
                _, new = _queue(
                    kind=SyncKind.MATTER,
                    obj=matter,
                    dataset=SyncDataset.MATTER,
                    payload=matter_payload(version),
                )
                queued, unchanged = queued + new, unchanged + (not new)
    return queued, unchanged


def sync_all_cases(*, since: dt.datetime | None = None, batch: int = 100) -> tuple[int, int]:
    """Queue every dataset of every case (received at or after `since`). Returns (queued, unchanged)."""
    cases = case_source().model._default_manager  # registered by the case app: cases sit above exchange

    queued = unchanged = 0
    rows = cases.all()
    if since is not None:
        rows = rows.filter(received_at__gte=since)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for case in cases.filter(pk__in=ids[start : start + batch]).order_by("pk"):
                for _, new in _case_progress(case):
                    queued, unchanged = queued + new, unchanged + (not new)
    return queued, unchanged
