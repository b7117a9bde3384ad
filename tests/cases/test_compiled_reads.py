"""Issue 15: the reads every case action runs are compiled once per process (`govhall.core.compiled`): the
locking read of the case, the rows the provincial sync's datasets name (materials, steps, suspensions), the
sync's own records, the posts a step is routed to, the notices of the action's answer. Each must give exactly
what the ORM's own read gives: every column of each row and of the related rows it selects, in the same
order, the decrypted personal fields, and the same errors."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from govhall.cases.export import MATERIALS, STEPS, SUSPENSIONS
from govhall.cases.models import Case
from govhall.cases.selectors import _NOTICES
from govhall.cases.services import case_accept, case_step_pass, case_step_return, case_supply
from govhall.cases.services._shared import _LOCK, _lock
from govhall.cases.services.steps import _POSTS
from govhall.core.compiled import CompiledRead
from govhall.exchange.sync import _LIVE_RECORDS
from tests.cases.conftest import ID_ZHANG, local, material, receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync_on(settings: Any) -> None:
    settings.PROVINCE_SYNC_AUTO = True  # the sync's records are one of the reads compared


def _snapshot(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every column of the row, and the same for each related row loaded with it."""
    columns = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    related = {name: None if row is None else _snapshot(row) for name, row in obj._state.fields_cache.items()}
    return columns, related


def _same(read: CompiledRead[Any], *keys: Any) -> list[Any]:
    """The compiled read's rows, checked against the ORM's read of the same queryset."""
    with transaction.atomic():
        compiled, orm = read.all(*keys), list(read.queryset(*keys))
    assert [_snapshot(row) for row in compiled] == [_snapshot(row) for row in orm]
    return compiled


def _stages(flow: Any) -> Any:
    """A case through receive, accept, pass, 退回补正 and 补正 (a suspension, a correction notice), frozen in
    time; yields it after each."""
    at = iter([local(2026, 3, 10, 9, 0), local(2026, 3, 10, 10, 0), local(2026, 3, 11, 9, 0)])
    with time_machine.travel(next(at), tick=False):
        case = receive(flow)
        yield case
        case = case_accept(actor=flow.front_desk, case=case)
        yield case
        case = case_step_pass(actor=flow.back_office, case=case, opinion="同意")
        yield case
    income = material(case, "家庭收入情况证明")
    with time_machine.travel(next(at), tick=False):
        case = case_step_return(
            case=case,
            actor=flow.approver,
            to="applicant",
            reason="收入证明需补正",
            items=[{"id": income.pk, "problem": "wrong", "reason": "缺少单位盖章"}],
        )
        yield case
    with time_machine.travel(next(at), tick=False):
        yield case_supply(case=case, actor=flow.front_desk, material_ids=[income.pk])


def test_each_compiled_read_gives_what_the_orm_gives_at_each_stage_of_a_case(flow):
    seen: dict[str, int] = {"materials": 0, "steps": 0, "suspensions": 0, "notices": 0, "records": 0}
    accepted_by = []
    for case in _stages(flow):
        with transaction.atomic():
            locked, orm = _LOCK.get(case.pk), _LOCK.queryset(case.pk).get()
        assert _snapshot(locked) == _snapshot(orm)
        assert locked.applicant_id_number == ID_ZHANG  # decrypted, not the stored ciphertext
        accepted_by.append(_snapshot(locked)[1]["accepted_by"])
        seen["materials"] = max(seen["materials"], len(_same(MATERIALS, case.pk)))
        seen["steps"] = max(seen["steps"], len(_same(STEPS, case.pk)))
        seen["suspensions"] = max(seen["suspensions"], len(_same(SUSPENSIONS, case.pk)))
        seen["notices"] = max(seen["notices"], len(_same(_NOTICES, case.pk)))
        seen["records"] = max(seen["records"], len(_same(_LIVE_RECORDS, "case", str(case.pk))))
        assert _same(_POSTS, case.department_id, case.handling_centre_id)
    # every read was compared with rows to compare, and a nullable relation both empty and filled
    assert all(seen.values()), seen
    assert accepted_by[0] is None and accepted_by[-1] is not None


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


def test_a_compiled_read_fails_as_the_orm_does(flow):
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK.get(10**9)
    with transaction.atomic(), pytest.raises(Case.DoesNotExist):
        _LOCK.queryset(10**9).get()
    assert MATERIALS.all(10**9) == []


def test_a_compiled_read_refuses_keys_it_cannot_bind(flow):
    with pytest.raises(ValueError, match="None"):
        MATERIALS.all(None)  # "= NULL" would silently match nothing where the ORM writes "IS NULL"
    with pytest.raises(ValueError, match="2 key"):
        _POSTS.all(1)
    with pytest.raises(TypeError):
        CompiledRead(lambda d: Case.objects.filter(received_at__date=d), keys=(float,))
    unused = CompiledRead(lambda pk: Case.objects.all())
    with pytest.raises(ValueError, match="parameter"):
        unused.all(1)


@pytest.mark.django_db(transaction=True)
def test_the_compiled_lock_needs_a_transaction_as_the_orm_does():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite takes no row locks: the IMMEDIATE transaction serialises")
    with pytest.raises(TransactionManagementError):
        _LOCK.queryset(1).get()
    with pytest.raises(TransactionManagementError):
        _LOCK.get(1)
