"""告知承诺 checks and credit (MODE-2)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.cases.models import (
    ApplicantCredit,
    Case,
    CaseStatus,
    CheckStatus,
    CommitmentCheck,
    ResultKind,
    StepAction,
    StepStatus,
    WarningLevel,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.rules import OPEN_STATUSES, Facts, require_action
from govhall.cases.services._shared import (
    _audit,
    _event,
    _lock,
    _state,
)
from govhall.cases.services.steps import (
    _close_step,
)
from govhall.core.actors import Actor, is_staff_actor
from govhall.core.audit import audit_record
from govhall.core.errors import Conflict, Forbidden, field_error


@transaction.atomic
def case_commitment_check(*, case: Case, actor: User, passed: bool, note: str) -> Case:
    """Record the check of a 告知承诺. A false promise stops an open case (不予许可) or revokes a decided
    one, and flags the applicant's credit, which bars 告知承诺 and 容缺 until repaired."""
    case = _lock(case)
    check = CommitmentCheck.objects.select_for_update().filter(case=case).first()
    require_action(case, actor, "check", facts=Facts(check=check.status if check else ""))
    assert check is not None  # the rules checked it
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写核查情况。")
    now = timezone.now()
    before = {**_state(case), "check": check.status}
    check.status = CheckStatus.PASSED if passed else CheckStatus.FAILED
    check.checked_at, check.checked_by, check.note = now, actor, note[:2000]
    check.save(update_fields=["status", "checked_at", "checked_by", "note"])
    if passed:
        _event(case, "check_pass", "告知承诺核查", actor, f"核查属实。{note}", at=now)
    else:
        _false_promise(case, actor, note, now)
    case.save()
    _audit(case, "commitment.check", actor, before, {**_state(case), "check": check.status})
    return case


def _false_promise(case: Case, actor: User, note: str, now: dt.datetime) -> None:
    """A false 告知承诺: the applicant's credit is flagged; an open case stops, an approved one is revoked."""
    ApplicantCredit.objects.create(
        id_digest=case.applicant_id_digest,
        applicant_name=case.applicant_name,
        reason=f"办件{case.number}告知承诺核查不实：{note}"[:2000],
        case=case,
        flagged_by=actor,
    )
    _event(case, "check_fail", "告知承诺核查", actor, f"承诺不实：{note}。已记入申请人信用记录。", at=now)
    if case.status in OPEN_STATUSES:
        _stop(case, actor, note, now)
    elif case.status in (CaseStatus.FINISHED, CaseStatus.DELIVERED) and case.result == ResultKind.APPROVED:
        case.status, case.revoked_at = CaseStatus.REVOKED, now
        _event(case, "revoke", "撤销许可", actor, "因告知承诺不实，撤销准予许可决定。", at=now)
    notify_applicant(
        case,
        f"您的办件{case.number}告知承诺经核查不实，"
        + ("已撤销许可决定" if case.status == CaseStatus.REVOKED else "已终止办理")
        + "，并记入信用记录。",
    )


def _stop(case: Case, actor: User, note: str, now: dt.datetime) -> None:
    """终止办理 (不予许可) of an open case: the clock stop ends, the pending step is cancelled."""
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    if stop is not None:
        stop.ended_at, stop.ended_by, stop.result = now, actor, "告知承诺不实，终止办理"
        stop.save(update_fields=["ended_at", "ended_by", "result"])
    if case.current_step is not None and case.current_step.status == StepStatus.PENDING:
        _close_step(
            case.current_step,
            actor=actor,
            role="核查",
            action=StepAction.FINISH,
            opinion="告知承诺不实，终止办理",
            at=now,
            status=StepStatus.CANCELLED,
        )
    case.status, case.result = CaseStatus.FINISHED, ResultKind.DENIED
    case.result_reason = f"告知承诺核查不实，终止办理：{note}"[:2000]
    case.finished_at, case.finished_by = now, actor
    case.current_assignee, case.current_post, case.clock_stopped_at = None, None, None
    case.warning_level = WarningLevel.NONE
    _event(case, "stop", "终止办理", actor, "因告知承诺不实终止办理（不予许可）。", at=now)


@transaction.atomic
def credit_repair(*, credit: ApplicantCredit, actor: Actor, note: str) -> ApplicantCredit:
    """信用修复: only the bureau lifts a flag."""
    if not (
        is_staff_actor(actor)
        and (actor.is_superuser or (actor.is_bureau and actor.has_role(Role.BUREAU_ADMIN)))
    ):
        raise Forbidden("只有市行政审批局管理员可以办理信用修复。")
    credit = ApplicantCredit.objects.select_for_update().get(pk=credit.pk)
    if credit.repaired_at is not None:
        raise Conflict("该失信记录已修复。", code="wrong_state")
    note = (note or "").strip()
    if not note:
        raise field_error("note", "请填写信用修复依据。")
    credit.repaired_at, credit.repaired_by, credit.repair_note = timezone.now(), actor, note[:300]
    credit.save(update_fields=["repaired_at", "repaired_by", "repair_note"])
    audit_record(action="case.credit.repair", obj=credit, actor=actor, after={"note": note})
    return credit
