"""Back-office steps and clock stops: routing a step to its AB post (STD-4), closing it, the actor's role on
it, stopping and restarting the clock (STD-3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from govhall.accounts.models import User
from govhall.cases import clock
from govhall.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    StepKind,
    StepStatus,
    Suspension,
    SuspensionKind,
)
from govhall.cases.policy import pending_step, step_role
from govhall.cases.rules import Facts, require_action, warning_level
from govhall.cases.services._shared import (
    ROUTING,
    _event,
    _label,
    _next_number,
    _set_deadlines,
)
from govhall.cases.services.texts import (
    fmt_time,
    unit_label,
)
from govhall.catalog.models import MatterVersion
from govhall.core.actors import Actor, SystemActor, is_staff_actor
from govhall.core.calendar import tentative
from govhall.core.compiled import CompiledRead
from govhall.core.errors import Conflict
from govhall.orgs.models import Post
from govhall.staffing.services import post_handler


def back_office_steps(version: MatterVersion) -> list[str]:
    """The matter's approval steps after acceptance (a leading 受理 is the front desk's own act)."""
    names = [str(n).strip() for n in (version.approval_steps or []) if str(n).strip()]
    if names and names[0] == "受理":
        names = names[1:]
    return names or ["审批"]


# The active posts of a department at a centre, with their A and B staff: read on every routing (issue 15).
_POSTS = CompiledRead(
    lambda department_id, centre_id: (
        Post.objects.filter(is_active=True, department_id=department_id, centre_id=centre_id)
        .select_related("a_staff", "b_staff", "centre")
        .order_by("pk")
    ),
    keys=(int, int),
)


def _post_for(case: Case, step_name: str) -> Post:
    posts = _POSTS.all(case.department_id, case.handling_centre_id)
    if not posts:
        raise Conflict(
            f"{case.handling_centre.name}没有设置{case.department.name}的后台审批岗位（AB角），"
            f"办件无法流转到「{step_name}」环节。请中心主任先设置岗位。",
            code="no_post",
        )
    for post in posts:
        if step_name in post.name:
            return post
    return posts[0]


def _new_step(case: Case, **fields: Any) -> CaseStep:
    """Insert the case's next step. Its number is counted in the INSERT itself (issue 15: one statement,
    not a read of the last number and then the write); the INSERT starts after the case's row lock is held,
    so it sees every step of the actions that held the lock before (one read in the locking statement
    would not on PostgreSQL: a SELECT that waits for a lock still reads other tables as they were when it
    started). ``seq`` is left unloaded on the returned row: read on first use, never written back."""
    step = CaseStep.objects.create(
        case=case, seq=_next_number(CaseStep.objects.filter(case=case), "seq"), **fields
    )
    del step.__dict__["seq"]
    return step


def _route(case: Case, index: int, at: dt.datetime) -> CaseStep:
    names = back_office_steps(case.matter_version)
    name = names[index]
    post = _post_for(case, name)
    handler = post_handler(post=post, at=at)
    step = _new_step(
        case,
        step_index=index,
        name=name,
        kind=StepKind.APPROVE,
        post=post,
        assignee=handler.user,
        assignee_role=handler.role,
        route_reason=handler.reason[:200],
        started_at=at,
    )
    case.current_step, case.current_post, case.current_assignee = step, post, handler.user
    _event(
        case,
        "route",
        name,
        ROUTING,
        f"流转至{post.name}：{handler.reason}",
        at=at,
        centre=case.handling_centre,
    )
    return step


def _close_step(
    step: CaseStep,
    *,
    actor: Actor,
    role: str,
    action: str,
    opinion: str,
    at: dt.datetime,
    status: str = StepStatus.DONE,
) -> None:
    step.status, step.action, step.opinion, step.finished_at = status, action, opinion[:4000], at
    step.handler = actor if is_staff_actor(actor) else None
    step.handler_label, step.handler_role = _label(actor), role
    step.save(
        update_fields=[
            "status",
            "action",
            "opinion",
            "finished_at",
            "handler",
            "handler_label",
            "handler_role",
        ]
    )


def _step_actor(
    case: Case,
    actor: User | SystemActor,
    action: str,
    *,
    facts: Facts | None = None,
    doing: str | None = None,
) -> tuple[CaseStep, str]:
    """`require_action` for an act on the pending step; that step and the role the actor acts in (A, B,
    director …)."""
    require_action(case, actor, action, facts=facts, doing=doing)
    step, role = pending_step(case), step_role(actor, case)
    assert step is not None and role is not None  # the rules checked both
    return step, role


def _suspend(
    case: Case,
    *,
    kind: str,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    procedure: str = "",
    materials: Sequence[int] = (),
) -> Suspension:
    if case.suspensions.filter(ended_at__isnull=True).exists():
        raise Conflict(f"办件{case.number}已处于挂起状态，不能重复挂起。", code="wrong_state")
    suspension = Suspension.objects.create(
        case=case,
        kind=kind,
        procedure=procedure,
        reason=reason,
        started_at=at,
        started_by=actor if is_staff_actor(actor) else None,
        materials=list(materials),
    )
    case.status = CaseStatus.SUSPENDED
    case.clock_stopped_at = at
    return suspension


def _resume(case: Case, suspension: Suspension, *, actor: Actor, at: dt.datetime, result: str) -> int:
    """End a clock stop: the deadline and the warning moment move out by the stopped units."""
    units = clock.stopped_units(suspension.started_at, at, case.limit_unit)
    due = clock.extend(case, "due_at", units, case.limit_unit)
    _set_deadlines(case, {"due_at": due, "warn_at": clock.extend(case, "warn_at", units, case.limit_unit)})
    case.paused_days += units
    case.clock_stopped_at = None
    case.status = CaseStatus.PROCESSING
    case.warning_level = warning_level(case, at)
    suspension.ended_at, suspension.result, suspension.working_days = at, result[:2000], units
    suspension.ended_by = actor if is_staff_actor(actor) else None
    suspension.save(update_fields=["ended_at", "ended_by", "result", "working_days"])
    if suspension.kind == SuspensionKind.CORRECTION and case.current_step is not None:
        _route(case, case.current_step.step_index, at)
    _event(
        case,
        "resume",
        "恢复计时",
        actor,
        f"{suspension.get_kind_display()}结束（{result}）；暂停{units}个{unit_label(case)}，"
        f"承诺办结时间顺延至{tentative(fmt_time(case.due_at), case.due_waits_for)}。",
        at=at,
    )
    return units
