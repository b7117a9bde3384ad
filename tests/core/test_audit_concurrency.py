"""Audit appends from concurrent transactions stay one linear chain (PostgreSQL advisory lock)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from govhall.core.audit import audit_record, audit_verify
from govhall.core.models import AuditEntry

THREADS = 6
EACH = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit_record(action="test.concurrent", object_id=f"{n}-{i}")
                    time.sleep(0.005)  # hold the transaction open: without the lock, others read a stale head
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, THREADS * EACH + 1))
    result = audit_verify()
    assert result.ok and result.checked == THREADS * EACH
