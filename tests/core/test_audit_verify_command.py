"""`govhall audit verify`: OK with the count, or the first broken link and exit code 1."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from govhall.cli import main
from govhall.core.audit import audit_record

pytestmark = pytest.mark.django_db


def test_intact_chain_prints_ok_and_count(capsys):
    for i in range(3):
        last = audit_record(action="test.change", object_id=str(i))
    main(["govhall", "audit", "verify"])
    out = capsys.readouterr().out
    assert out.startswith("OK 审计日志完整：共3条记录")
    assert last.hash in out


def test_broken_chain_names_the_seq_and_exits_1(capsys):
    for i in range(4):
        audit_record(action="test.change", object_id=str(i))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'test.forged' WHERE seq = 2")
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify")
    assert caught.value.returncode == 1
    assert "第2条处断裂" in str(caught.value)
    with pytest.raises(SystemExit) as exited:
        main(["govhall", "audit", "verify"])
    assert exited.value.code == 1
    assert "第2条记录内容被修改" in capsys.readouterr().err
