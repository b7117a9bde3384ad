"""The audit log: every state change and every view of unmasked personal data.

Entries are appended inside the caller's transaction, so a rolled-back action leaves no entry.
Appends are serialised (PostgreSQL: the head row's lock, SELECT … FOR UPDATE; SQLite's write lock, taken
at BEGIN IMMEDIATE) so the hash chain is linear. The lock is held to the caller's commit: keep the append
the last statement of a transaction.

Each entry's hash is a keyed SM3 (HMAC-SM3, key derived from GOVHALL_FIELD_KEY) over the previous
entry's hash and the entry's content, so editing or deleting a row breaks the chain, and someone who
can write to the database but lacks the key cannot rebuild it. The head (last seq and hash) is
kept in ``AuditHead``, updated in the same transaction, so deleting the newest rows is detected
too. What this cannot catch: someone with both database access and the key file; and a truncation
that also rewinds the head row — for that, keep the head `govhall audit verify` prints somewhere
outside the database (e.g. the daily operations log) and compare.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from govhall.core.crypto import audit_chain_hash
from govhall.core.middleware import client_ip, current_request
from govhall.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_LOCK_KEY = 0x60_0A_1D  # advisory lock id for the audit chain


def _canonical(entry: AuditEntry) -> str:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "note": entry.note,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(entry: AuditEntry) -> str:
    return audit_chain_hash(entry.prev_hash + _canonical(entry))


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str)) if value is not None else None


def audit_record(
    *,
    action: str,
    obj: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    note: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one entry. `actor` defaults to the current request's user; the address comes from it too."""
    request = current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    # No savepoint of its own (two round trips fewer while the chain is held): an append that fails
    # fails the caller's whole transaction, which must not commit an action without its entry anyway.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            seq=head["seq"] + 1,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=str(actor)[:80] if actor is not None else "",
            ip=client_ip(request) if request is not None else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=_jsonable(before),
            after=_jsonable(after),
            note=note[:300],
            prev_hash=head["hash"],
        )
        entry.hash = entry_hash(entry)
        _append(entry)
    return entry


def _append(entry: AuditEntry) -> None:
    """Insert the entry and move the head to it. On PostgreSQL one statement (the insert as a data-modifying
    CTE of the head's update): one round trip fewer while the chain is locked (issue 15)."""
    if connection.vendor != "postgresql":
        entry.save()
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
        return
    fields = [f for f in AuditEntry._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(AuditEntry)
    query.insert_values(fields, [entry])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [AuditEntry._meta.pk]
    [(insert_sql, params)] = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(  # insert_sql is Django's compiled INSERT with placeholders; values go as params
            f"WITH e AS ({insert_sql}) UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1 "  # noqa: S608
            "RETURNING (SELECT id FROM e)",
            [*params, entry.seq, entry.hash],
        )
        row = cursor.fetchone()
    if row is None:  # no head row: cannot happen after _locked_head, and must not pass silently
        raise RuntimeError("audit head row missing")
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = connection.alias


# Fixed SQL for the head, read by every audited write: the ORM compiled the same query on each append
# (issue 15). SQLite has no row locks: its write lock, taken at BEGIN IMMEDIATE, serialises the appends.
_HEAD_SQL = "SELECT seq, hash FROM core_audithead WHERE id = 1"
_HEAD_FOR_UPDATE_SQL = _HEAD_SQL + " FOR UPDATE"


def _read_head() -> Mapping[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_FOR_UPDATE_SQL if connection.features.has_select_for_update else _HEAD_SQL)
        row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row is not None else None


def _locked_head() -> Mapping[str, Any]:
    """The chain's head, locked until the caller's transaction ends: appends are serialised by the head
    row's lock (one round trip: the lock and the read together). The very first append, before the head
    row exists, is serialised by an advisory lock instead."""
    head = _read_head()
    if head is not None:
        return head
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        head = _read_head()
        if head is not None:
            return head
    # Continue from the head, not from the last row: after a tail truncation the next entry then leaves
    # a visible gap instead of silently reusing the deleted numbers. No head: the first entry (or a flushed
    # test database).
    head = AuditEntry.objects.order_by("-seq").values("seq", "hash").first() or {"seq": 0, "hash": GENESIS}
    AuditHead.objects.create(pk=1, **head)
    return head


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS


def audit_verify() -> VerifyResult:
    """Walk the chain; report the first entry whose sequence, link or hash is wrong, then check
    that the chain ends where the head says."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"第{expected_seq}条记录缺失（被删除）")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, f"第{entry.seq}条记录与前一条的链接不符")
        if entry_hash(entry) != entry.hash:
            hint = "（若整个数据库来自另一套系统，也可能是 GOVHALL_FIELD_KEY 不同）" if entry.seq == 1 else ""
            return VerifyResult(False, checked, entry.seq, f"第{entry.seq}条记录内容被修改{hint}")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        if checked:
            return VerifyResult(False, checked, last_seq, "链尾标记缺失（审计日志链尾记录被删除）")
        return VerifyResult(True, 0)
    if head.seq > last_seq:
        return VerifyResult(
            False, checked, last_seq + 1, f"第{last_seq + 1}至{head.seq}条记录缺失（最新的记录被删除）"
        )
    if head.seq < last_seq:
        return VerifyResult(
            False,
            checked,
            head.seq + 1,
            f"第{head.seq + 1}条起的记录不是经审计接口写入的（链尾标记为第{head.seq}条）",
        )
    if head.hash != prev_hash:
        return VerifyResult(False, checked, last_seq, f"第{last_seq}条记录与链尾标记不符")
    return VerifyResult(True, checked, head_seq=head.seq, head_hash=head.hash)
