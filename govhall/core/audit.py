"""The audit log: every state change and every view of unmasked personal data.

Entries are appended inside the caller's transaction, so a rolled-back action leaves no entry.
Appends are serialised (PostgreSQL advisory lock; SQLite's write lock) so the hash chain is linear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from govhall.core.crypto import sm3_hex
from govhall.core.models import AuditEntry

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
    return sm3_hex(entry.prev_hash + _canonical(entry))


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
    from govhall.core.middleware import client_ip, current_request

    request = current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        entry = AuditEntry(
            seq=(last["seq"] + 1) if last else 1,
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
            prev_hash=last["hash"] if last else GENESIS,
        )
        entry.hash = entry_hash(entry)
        entry.save()
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain; report the first entry whose hash, link or sequence is wrong."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"第{expected_seq}条记录缺失（被删除）")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, f"第{entry.seq}条记录与前一条的链接不符")
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, f"第{entry.seq}条记录内容被修改")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
