"""Shared private helpers of the case services: the row lock, the timeline row, the audit record, the
events and SMS after commit, notices, deadlines stored, materials picked by id. The system's jobs are named here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import CharField, Count, Expression, IntegerField, Max, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from govhall.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseNotice,
    NoticeKind,
    shown_as_stored,
)
from govhall.cases.services.texts import (
    NOTICE_PREFIX,
)
from govhall.catalog.models import NotificationSheet
from govhall.core import provisional
from govhall.core.actors import Actor, actor_label, is_staff_actor, system
from govhall.core.audit import audit_record
from govhall.core.calendar import Deadline
from govhall.core.compiled import CompiledRead
from govhall.core.errors import field_error
from govhall.core.events import publish_on_commit
from govhall.exchange.sync import on_case_changed
from govhall.orgs.models import Centre

ROUTING = system("流转")


DEADLINE_SCAN = system("期限预警")


RONGQUE_SCAN = system("容缺期限检查")


REROUTING = system("AB角转交")


DEADLINE_RECOMPUTE = system("期限重新核定")


def _label(actor: Actor | None) -> str:
    return actor_label(actor)


_LOCK = CompiledRead(
    lambda pk: (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "centre__division",
            "handling_centre__division",
            "matter",
            "matter_version",
            "department",
            "current_step__post",
            "current_post",
            "current_assignee",
            "accepted_by",  # named in the 受理 dataset the provincial sync sends after each action
        )
        .filter(pk=pk)
    )
)


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock (SQLite: the IMMEDIATE transaction already serialises), with what
    the actions read of it. Compiled once per process (`CompiledRead`): compiling these 12 tables' columns
    cost ten times what running the read does (issue 15)."""
    return _LOCK.get(case.pk)


def _event(
    case: Case,
    action: str,
    label: str,
    actor: Actor | None,
    detail: str = "",
    *,
    at: dt.datetime | None = None,
    centre: Centre | None = None,
) -> CaseEvent:
    """One timeline row. Whether the applicant sees it is not the caller's choice: the allow-list
    `PUBLIC_EVENTS` decides (and `selectors.public_timeline` applies it again when reading)."""
    staff = actor if is_staff_actor(actor) else None
    if centre is None:
        centre = staff.centre if staff is not None and staff.centre is not None else case.handling_centre
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        action=action,
        label=label,
        actor=staff,
        actor_label=_label(actor),
        centre_name=centre.name,
        detail=detail[:2000],
        public=shown_as_stored(action),
    )


def _audit(
    case: Case,
    action: str,
    actor: Actor,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str = "",
) -> None:
    audit_record(action=f"case.{action}", obj=case, actor=actor, before=before, after=after, note=note)


def _state(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "result": case.result,
        "assignee": case.current_assignee_id,
        "due_at": case.due_at,
    }


def _publish(case: Case, what: str) -> None:
    on_case_changed(case=case)  # NET-2: the datasets this step reached go to the provincial platform

    payload = {"case": case.number, "status": case.status, "what": what}
    publish_on_commit(f"cases.centre.{case.handling_centre_id}.{what}", payload)
    if case.centre_id != case.handling_centre_id:
        publish_on_commit(f"cases.centre.{case.centre_id}.{what}", payload)


@contextmanager
def _holding(case: Case, **rows: list[Any]) -> Iterator[None]:
    """Within the block, the case's relations named here read as these rows (an action's own, up to date):
    the notices and the provincial sync do not read them again (issue 15). Dropped after the block, so
    nothing later sees rows that may have changed since."""
    held = case.__dict__.setdefault("_prefetched_objects_cache", {})
    held.update(rows)
    try:
        yield
    finally:
        for name in rows:
            held.pop(name, None)


def _issue_notice(
    case: Case,
    kind: str,
    actor: Actor,
    payload: dict[str, Any],
    *,
    sheet: NotificationSheet | None = None,
    at: dt.datetime | None = None,
) -> CaseNotice:
    base = {
        "centre": case.handling_centre.name,
        "seal": case.handling_centre.seal,
        "received_centre": case.centre.name,
        "matter": case.matter_name,
        "matter_code": case.matter.code,
        "version": case.matter_version.number,
        "applicant": case.applicant_name,
        "issuer": _label(actor),
    }
    # The notice's number among the case's notices of its kind is counted in the INSERT (see `_next_number`).
    n = Cast(_next_number(CaseNotice.objects.filter(case=case, kind=kind)), CharField())
    notice = CaseNotice.objects.create(
        case=case,
        kind=kind,
        serial=Concat(
            Value(f"{NOTICE_PREFIX[NoticeKind(kind)]}-{case.number}-"), n, output_field=CharField()
        ),
        issued_at=at or timezone.now(),
        issued_by=actor if is_staff_actor(actor) else None,
        sheet=sheet,
        payload={**base, **payload},
    )
    del notice.__dict__["serial"]  # the expression, not the number: read from the row on first use
    return notice


def _next_number(rows: QuerySet[Any], field: str | None = None) -> Expression:
    """1 + the largest ``field`` of ``rows`` (1 + their number without ``field``), as a subquery to put in the
    INSERT of the next row (issue 15: one statement instead of a read and a write).

    Only called while the case's row lock is held (`_lock`), by a statement that starts after the lock was
    granted: it sees every row the actions that held the lock before have written. Reading the number in
    the locking SELECT itself would not be safe on PostgreSQL: a statement that waits for a row lock
    returns the newest version of that row but reads other tables as they were when it started."""
    grouped = rows.order_by().values(rows.model._meta.get_field("case").attname)
    top = grouped.annotate(n=Max(field) if field else Count("pk")).values("n")
    return Coalesce(Subquery(top, output_field=IntegerField()), Value(0)) + Value(1)


def _set_deadline(obj: Any, field: str, deadline: Deadline | None) -> None:
    """Store a deadline on a case (or its check), keeping a provisional one recomputable."""
    provisional.apply(obj, field, deadline)


def _set_deadlines(obj: Any, deadlines: dict[str, Deadline | None]) -> None:
    """`_set_deadline` for several fields of one object, their registry kept in one statement."""
    provisional.apply_many(obj, deadlines)


def _pick(case: Case, ids: Iterable[Any], field: str) -> list[CaseMaterial]:
    wanted: list[int] = []
    for value in ids or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            raise field_error(field, "材料编号应为整数。") from None
    if not wanted:
        return []  # most acceptances name no 容缺 or 告知承诺 material: no query to build
    rows = list(case.materials.select_related("material").filter(pk__in=wanted))
    if len(rows) != len(set(wanted)):
        raise field_error(field, "所选材料不属于本办件。")
    return rows
