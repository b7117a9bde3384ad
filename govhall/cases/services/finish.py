"""办结: 准予, 不予许可, 转报, 退件, 作废."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases.export import SUSPENSIONS
from govhall.cases.models import (
    Case,
    CaseStatus,
    NoticeKind,
    ResultKind,
    StepAction,
    StepStatus,
    Suspension,
    WarningLevel,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.rules import require_action
from govhall.cases.services import texts
from govhall.cases.services._shared import (
    _audit,
    _event,
    _holding,
    _issue_notice,
    _lock,
    _publish,
    _state,
)
from govhall.cases.services.steps import (
    _close_step,
    _step_actor,
    back_office_steps,
)
from govhall.core.actors import SystemActor, is_staff_actor
from govhall.core.errors import Conflict, field_error
from govhall.core.hooks import Hook

# Sent inside the transaction that closes a case (办结 of any kind, 不予受理): apps above cases connect in
# their AppConfig.ready() (onething starts a member waiting for this one and finishes its 一件事).
case_closed = Hook("cases.case_closed")


@dataclass(frozen=True)
class _Certificate:
    name: str = ""
    number: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


@transaction.atomic
def case_finish(
    *,
    case: Case,
    actor: User | SystemActor,
    result: str,
    reason: str = "",
    certificate_name: str = "",
    certificate_no: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    referred_to: str = "",
) -> Case:
    """办结: 准予/出证 (at the last step), 不予许可 or 转报 (by the step's handler); 退件 (the front desk or
    the director; the system for 容缺 materials never supplied); 作废 (the director)."""
    case = _lock(case)
    if result not in ResultKind.values:
        raise field_error("result", "办结结果应为准予、不予许可、退件、作废或转报。")
    reason = (reason or "").strip()
    role = _check_finish(case, actor, result, reason, referred_to)
    certificate = _Certificate(
        name=(certificate_name or case.matter_version.result_name or "").strip()
        if result == ResultKind.APPROVED
        else certificate_name,
        number=(certificate_no or "").strip(),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if result == ResultKind.APPROVED and valid_from and valid_to and valid_to < valid_from:
        raise field_error("valid_to", "证照有效期止不能早于有效期起。")

    now = timezone.now()
    before = _state(case)
    stops = _close_pending(case, actor, role, result, reason, now)
    case.status, case.result, case.result_reason = CaseStatus.FINISHED, result, reason
    case.certificate_name, case.certificate_no = certificate.name[:200], certificate.number[:100]
    case.certificate_valid_from, case.certificate_valid_to = valid_from, valid_to
    case.referred_to = (referred_to or "").strip()[:100]
    case.finished_at, case.finished_by = now, actor if is_staff_actor(actor) else None
    case.finished_overdue = bool(
        case.accepted_at and case.due_at and now > case.due_at and case.clock_stopped_at is None
    )
    case.clock_stopped_at = None
    case.warning_level = WarningLevel.NONE
    case.current_assignee, case.current_post = None, None
    case.save()
    _event(case, "finish", "办结", actor, texts.finished_detail(case, result, reason), at=now)
    _issue_notice(case, NoticeKind.RESULT, actor, texts.result_payload(case, result, reason, now), at=now)
    notify_applicant(case, texts.finished_sms(case, result))
    with _holding(case, suspensions=stops):
        _publish(case, "finished")
    _audit(
        case,
        "finish",
        actor,
        before,
        {**_state(case), "reason": reason, "certificate_no": case.certificate_no},
    )
    case_closed.send(case=case)
    return case


def _check_finish(case: Case, actor: User | SystemActor, result: str, reason: str, referred_to: str) -> str:
    """Who may give this result, at which step, with which reason; the role the actor acts in."""
    if result == ResultKind.WITHDRAWN:
        require_action(case, actor, "withdraw")
        if not reason:
            raise field_error("reason", "退件须写明原因。")
        return ""
    if result == ResultKind.VOIDED:
        require_action(case, actor, "void")
        if not reason:
            raise field_error("reason", "作废须写明原因。")
        return ""
    step, role = _step_actor(case, actor, "finish", doing=f"办结（{ResultKind(result).label}）")
    names = back_office_steps(case.matter_version)
    if result == ResultKind.APPROVED and step.name != "即办" and step.step_index < len(names) - 1:
        raise Conflict(
            f"当前环节「{step.name}」不是最后一个环节，不能准予办结；请先通过本环节。",
            code="not_last_step",
        )
    if result == ResultKind.DENIED and not reason:
        raise field_error("reason", "不予许可须写明理由。")
    if result == ResultKind.REFERRED and not referred_to.strip():
        raise field_error("referred_to", "转报须写明报送的单位。")
    return role


def _close_pending(
    case: Case, actor: User | SystemActor, role: str, result: str, reason: str, now: dt.datetime
) -> list[Suspension]:
    """The pending step closes (cancelled for 退件 and 作废); an open clock stop ends. Returns the case's
    clock stops, as they are now."""
    step = case.current_step
    if step is not None and step.status == StepStatus.PENDING:
        if result in (ResultKind.WITHDRAWN, ResultKind.VOIDED):
            _close_step(
                step,
                actor=actor,
                role=role,
                action=StepAction.FINISH,
                opinion=reason,
                at=now,
                status=StepStatus.CANCELLED,
            )
        else:
            _close_step(
                step,
                actor=actor,
                role=role,
                action=StepAction.FINISH,
                opinion=f"{ResultKind(result).label}。{reason}".strip("。") + "。",
                at=now,
            )
    stops = SUSPENSIONS.all(case.pk)  # read once (compiled): the provincial sync lists them too
    stop = next((s for s in stops if s.ended_at is None), None)
    if stop is not None:
        stop.ended_at, stop.result = now, f"办件{ResultKind(result).label}"
        stop.ended_by = actor if is_staff_actor(actor) else None
        stop.save(update_fields=["ended_at", "ended_by", "result"])
    return stops
