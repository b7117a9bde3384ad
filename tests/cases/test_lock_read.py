"""Issue 15: the case actions' locking read is compiled once per process (`govhall.core.compiled`). It must
give exactly what the ORM's own read gives: every column of the case and of each related row it selects,
the same relations loaded (none left to a lazy read), the decrypted personal fields, and the same errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from govhall.cases.models import Case
from govhall.cases.services import case_accept, case_step_pass
from govhall.cases.services._shared import _LOCK, _lock
from tests.cases.conftest import ID_ZHANG, receive

pytestmark = pytest.mark.django_db


def _snapshot(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every column of the row, and the same for each related row loaded with it."""
    columns = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    related = {name: None if row is None else _snapshot(row) for name, row in obj._state.fields_cache.items()}
    return columns, related


def _both(pk: int) -> tuple[Any, Any]:
    with transaction.atomic():
        return _LOCK.get(pk), _LOCK.queryset(pk).get()


def test_the_compiled_lock_reads_what_the_orm_reads_at_each_stage(flow):
    case = receive(flow)
    accepted_by = []
    for act in (
        lambda c: c,
        lambda c: case_accept(actor=flow.front_desk, case=c),
        lambda c: case_step_pass(actor=flow.back_office, case=c, opinion="同意"),
    ):
        case = act(case)
        compiled, orm = _both(case.pk)
        assert _snapshot(compiled) == _snapshot(orm)
        assert compiled.applicant_id_number == ID_ZHANG  # decrypted, not the stored ciphertext
        accepted_by.append(_snapshot(compiled)[1]["accepted_by"])
    # before acceptance a nullable relation is empty, after it a row: both kinds were compared
    assert accepted_by[0] is None and accepted_by[1] is not None


def test_the_compiled_lock_loads_its_relations_in_its_one_statement(flow):
    case = receive(flow)
    with transaction.atomic(), CaptureQueriesContext(connection) as statements:
        locked = _lock(case)
        names = (
            locked.centre.division.name,
            locked.handling_centre.division.name,
            locked.matter.code,
            locked.matter_version.number,
            locked.department,
            locked.current_post,
            locked.current_assignee,
        )
    assert names[2] == flow.matter.code
    assert len([q for q in statements if q["sql"].startswith("SELECT")]) == 1
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in statements[-1]["sql"]


def test_the_compiled_lock_fails_as_the_orm_does(flow):
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK.get(10**9)
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK.queryset(10**9).get()


@pytest.mark.django_db(transaction=True)
def test_the_compiled_lock_needs_a_transaction_as_the_orm_does():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite takes no row locks: the IMMEDIATE transaction serialises")
    with pytest.raises(TransactionManagementError):
        _LOCK.queryset(1).get()
    with pytest.raises(TransactionManagementError):
        _LOCK.get(1)
