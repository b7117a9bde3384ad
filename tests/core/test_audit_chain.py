"""Audit log (part 7): append-only, SM3-chained; editing, deleting or truncating is detected."""

from __future__ import annotations

import pytest
from django.db import connection

from govhall.accounts.models import UnitKind, User
from govhall.core.audit import GENESIS, _canonical, audit_record, audit_verify
from govhall.core.crypto import sm3_hex
from govhall.core.models import AppendOnlyError, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def make_entries(n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(
            action="test.change",
            object_type="test.thing",
            object_id=str(i),
            before={"状态": "旧", "i": i},
            after={"状态": "新", "i": i},
            note=f"第{i}次",
        )
        for i in range(1, n + 1)
    ]


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_chain_of_untouched_entries_verifies():
    entries = make_entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS and entries[1].prev_hash == entries[0].hash
    result = audit_verify()
    assert result.ok and result.checked == 5
    assert (result.head_seq, result.head_hash) == (5, entries[-1].hash)
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (5, entries[-1].hash)


def test_empty_log_verifies():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_editing_an_old_row_by_sql_is_detected_naming_its_seq():
    make_entries()
    raw("UPDATE core_auditentry SET note = %s WHERE seq = 2", ["改过的说明"])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 2 and result.checked == 1
    assert "第2条记录内容被修改" in result.reason


def test_editing_the_json_after_value_is_detected():
    make_entries()
    after = '{"状态": "伪造", "i": 3}'
    raw("UPDATE core_auditentry SET after = %s WHERE seq = 3", [after])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3


def test_rewriting_a_row_and_recomputing_plain_sm3_hashes_is_still_detected():
    """The chain is keyed (HMAC-SM3): database access alone cannot rebuild it."""
    make_entries(3)
    raw("UPDATE core_auditentry SET note = %s WHERE seq = 3", ["伪造"])
    forged = AuditEntry.objects.get(seq=3)
    forged_hash = sm3_hex(forged.prev_hash + _canonical(forged))
    raw("UPDATE core_auditentry SET hash = %s WHERE seq = 3", [forged_hash])
    raw("UPDATE core_audithead SET hash = %s", [forged_hash])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3


def test_deleting_a_middle_row_by_sql_is_detected():
    make_entries()
    raw("DELETE FROM core_auditentry WHERE seq = 3")
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3 and "第3条记录缺失" in result.reason


def test_deleting_the_first_row_is_detected():
    make_entries(3)
    raw("DELETE FROM core_auditentry WHERE seq = 1")
    result = audit_verify()
    assert not result.ok and result.broken_seq == 1


def test_deleting_the_newest_rows_is_detected_by_the_head():
    make_entries()
    raw("DELETE FROM core_auditentry WHERE seq >= 4")
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4
    assert "第4至5条记录缺失" in result.reason


def test_next_entry_after_a_truncation_leaves_a_gap_instead_of_hiding_it():
    make_entries()
    raw("DELETE FROM core_auditentry WHERE seq >= 4")
    assert audit_record(action="test.after").seq == 6
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4


def test_rows_inserted_behind_the_audit_api_are_detected():
    entries = make_entries(2)
    raw("UPDATE core_audithead SET seq = 1, hash = %s", [entries[0].hash])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 2


def test_deleting_the_head_row_is_detected():
    make_entries(2)
    raw("DELETE FROM core_audithead")
    result = audit_verify()
    assert not result.ok and "链尾标记缺失" in result.reason


def test_orm_refuses_to_change_or_delete_entries():
    entry = make_entries(1)[0]
    entry.note = "改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(note="改")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(seq=1).note == "第1次"
    assert audit_verify().ok


def test_deleting_a_user_keeps_their_entries_intact():
    user = User.objects.create_user("lisi", password=None, full_name="李四", unit_kind=UnitKind.BUREAU)
    audit_record(action="test.by_user", actor=user)
    user.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor_id is not None and entry.actor_label == "李四"
    assert audit_verify().ok


def test_entry_records_who_and_from_which_address(rf):
    from govhall.core.middleware import current_request

    user = User.objects.create_user("zhang", password=None, full_name="张三", unit_kind=UnitKind.BUREAU)
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    token = current_request.set(request)
    try:
        entry = audit_record(action="test.request", before={"a": 1}, after={"a": 2})
    finally:
        current_request.reset(token)
    assert (entry.actor, entry.actor_label, entry.ip) == (user, "张三", "10.1.2.3")
    assert entry.before == {"a": 1} and entry.after == {"a": 2} and entry.at is not None


def test_rolled_back_action_leaves_no_entry():
    from django.db import transaction

    make_entries(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="test.rolled_back")
        raise RuntimeError
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    assert audit_record(action="test.next").seq == 2
    assert audit_verify().ok
