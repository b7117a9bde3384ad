"""后台分类审批 (MODE-1): pass a step, return it, resubmit, special procedures (the clock stops, STD-3)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases.correction_texts import return_correction_sms
from govhall.cases.models import (
    Case,
    CaseStatus,
    StepAction,
    StepKind,
    SuspensionKind,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.policy import pending_step
from govhall.cases.rules import Facts, require_action
from govhall.cases.services._shared import (
    _audit,
    _event,
    _lock,
    _publish,
    _state,
)
from govhall.cases.services.decide import _correction_items, _issue_correction
from govhall.cases.services.inputs import CorrectionInput
from govhall.cases.services.steps import (
    _close_step,
    _new_step,
    _resume,
    _route,
    _step_actor,
    _suspend,
    back_office_steps,
)
from govhall.catalog.models import (
    SpecialProcedure,
)
from govhall.core.errors import Conflict, field_error


@transaction.atomic
def case_step_pass(*, case: Case, actor: User, opinion: str = "") -> Case:
    """通过: close the current step and route the next one to its post."""
    case = _lock(case)
    step, role = _step_actor(case, actor, "pass")
    names = back_office_steps(case.matter_version)
    if step.name == "即办" or step.step_index >= len(names) - 1:
        raise Conflict(
            f"「{step.name}」是最后一个环节，请作出办结决定（准予、不予许可或转报）。", code="last_step"
        )
    now = timezone.now()
    before = _state(case)
    _close_step(step, actor=actor, role=role, action=StepAction.PASS, opinion=opinion or "同意", at=now)
    _event(case, "pass", step.name, actor, f"通过。意见：{opinion or '同意'}", at=now)
    _route(case, step.step_index + 1, now)
    case.save()
    _publish(case, "step")
    _audit(case, "step.pass", actor, before, {**_state(case), "step": step.name, "role": role})
    return case


@transaction.atomic
def case_step_return(
    *, case: Case, actor: User, to: str, reason: str, items: Sequence[CorrectionInput] = ()
) -> Case:
    """退回: to the front desk (it re-checks and resubmits; the clock runs) or to the applicant for 补正
    (a 一次性告知单; the clock stops until the materials are in, STD-3)."""
    case = _lock(case)
    step, role = _step_actor(case, actor, "return")
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "退回须写明原因。")
    if to not in ("front", "applicant"):
        raise field_error("to", "退回对象只能是前台（front）或申请人（applicant）。")
    now = timezone.now()
    before = _state(case)
    if to == "front":
        _close_step(step, actor=actor, role=role, action=StepAction.RETURN_FRONT, opinion=reason, at=now)
        clerk = case.accepted_by or case.receiver
        front = _new_step(
            case,
            step_index=step.step_index,
            name="前台复核",
            kind=StepKind.FRONT,
            assignee=clerk,
            assignee_role="前台",
            route_reason="退回受理人复核",
            started_at=now,
        )
        case.status = CaseStatus.RETURNED
        case.current_step, case.current_post, case.current_assignee = front, None, clerk
        _event(case, "return_front", f"{step.name}：退回前台", actor, f"原因：{reason}", at=now)
    else:
        rows = _correction_items(case, items)
        _issue_correction(case, actor, rows, reason, now)
        _close_step(step, actor=actor, role=role, action=StepAction.RETURN_APPLICANT, opinion=reason, at=now)
        _suspend(
            case,
            kind=SuspensionKind.CORRECTION,
            actor=actor,
            at=now,
            reason=reason,
            materials=[row.pk for row, _p, _w in rows],
        )
        case.current_assignee = None
        _event(
            case,
            "return_applicant",
            f"{step.name}：退回补正",
            actor,
            "需补正：" + "；".join(f"{r.name}（{why}）" for r, _p, why in rows) + "。补正期间暂停计时。",
            at=now,
        )
        notify_applicant(case, return_correction_sms(case))
    case.save()
    _publish(case, "step")
    _audit(case, f"step.return_{to}", actor, before, {**_state(case), "step": step.name, "reason": reason})
    return case


@transaction.atomic
def case_resubmit(*, case: Case, actor: User, opinion: str = "") -> Case:
    """The front desk has re-checked a returned case: route the step that returned it again."""
    case = _lock(case)
    require_action(case, actor, "resubmit")
    step = pending_step(case)
    assert step is not None  # the rules checked it
    now = timezone.now()
    before = _state(case)
    _close_step(
        step, actor=actor, role="前台", action=StepAction.RESUBMIT, opinion=opinion or "已复核", at=now
    )
    case.status = CaseStatus.PROCESSING
    _event(case, "resubmit", "前台复核", actor, f"复核后重新提交。{opinion}", at=now)
    _route(case, step.step_index, now)
    case.save()
    _publish(case, "step")
    _audit(case, "resubmit", actor, before, _state(case))
    return case


@transaction.atomic
def case_special_start(*, case: Case, actor: User, procedure: str, reason: str) -> Case:
    """特别程序 (延长审批, 听证, 公示, 核实, 现场勘查, 检验检测, 专家评审 …): the clock stops (STD-3)."""
    case = _lock(case)
    _step, role = _step_actor(case, actor, "special_start")
    if procedure not in SpecialProcedure.values:
        raise field_error("procedure", "特别程序种类不正确。")
    allowed = set(case.matter_version.special_procedures or []) | {SpecialProcedure.EXTENSION.value}
    if procedure not in allowed:
        names = "、".join(SpecialProcedure(p).label for p in sorted(allowed) if p in SpecialProcedure.values)
        raise field_error(
            "procedure", f"本事项的特别程序不含「{SpecialProcedure(procedure).label}」（可用：{names}）。"
        )
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", "启动特别程序须写明原因。")
    now = timezone.now()
    before = _state(case)
    _suspend(case, kind=SuspensionKind.SPECIAL, actor=actor, at=now, reason=reason, procedure=procedure)
    case.save()
    _event(
        case,
        "special_start",
        f"特别程序：{SpecialProcedure(procedure).label}",
        actor,
        f"原因：{reason}。特别程序期间暂停计时。",
        at=now,
    )
    notify_applicant(
        case, f"您的办件{case.number}进入特别程序（{SpecialProcedure(procedure).label}），期间暂停计时。"
    )
    _publish(case, "suspended")
    _audit(case, "special.start", actor, before, {**_state(case), "procedure": procedure, "role": role})
    return case


@transaction.atomic
def case_special_end(*, case: Case, actor: User, result: str) -> Case:
    case = _lock(case)
    stop = case.suspensions.filter(ended_at__isnull=True).first()
    _step_actor(case, actor, "special_end", facts=Facts(suspension=stop.kind if stop else ""))
    assert stop is not None  # the rules checked it is a 特别程序
    result = (result or "").strip()
    if not result:
        raise field_error("result", "请填写特别程序的结果。")
    now = timezone.now()
    before = _state(case)
    label = (
        SpecialProcedure(stop.procedure).label if stop.procedure in SpecialProcedure.values else "特别程序"
    )
    _event(case, "special_end", f"特别程序结束：{label}", actor, f"结果：{result}", at=now)
    _resume(case, stop, actor=actor, at=now, result=f"{label}：{result}")
    case.save()
    _publish(case, "resumed")
    _audit(case, "special.end", actor, before, {**_state(case), "result": result})
    return case
