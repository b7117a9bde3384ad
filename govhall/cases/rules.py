"""The case state machine and the deadline colour, written once.

`ACTIONS` is the one table of what may be done to a case: for each action the statuses it is allowed in,
who may ever do it (a role test, no case needed), who may do it to this case (`govhall.cases.policy`), and
any further condition on the case (a guard). Services refuse through `require_action`, the case page
shows the forms of `available_actions`, the API lists them on a case: one answer everywhere.

The order of the checks is the order of the answers: a role that may never do the action is refused
(403) before the case's state is looked at (409), so the answer does not depend on the case; then the
guard (409), then whether this user may do it to this case (403: another centre, not the step's A/B).

Pure: no database query. What the rules need beyond the case row and its loaded relations (the open
clock stop, the 告知承诺 check) comes in a small `Facts` the caller reads (`selectors.case_facts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from govhall.cases import policy
from govhall.cases.models import (
    CLOCK_RUNNING,
    OPEN_STATUSES,
    PENDING_STATUSES,
    CaseStatus,
    CheckStatus,
    ResultKind,
    SuspensionKind,
    WarningLevel,
)
from govhall.core.actors import CitizenActor, SystemActor, is_staff_actor
from govhall.core.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Facts:
    """What the rules need that is not on the case row: the open clock stop's kind (`SuspensionKind`, ""
    when none) and the 告知承诺 check's status (`CheckStatus`, "" when the case has none)."""

    suspension: str = ""
    check: str = ""


@dataclass(frozen=True)
class Action:
    code: str
    label: str  # the form's heading on the case page and the API's label
    doing: str  # "不能{doing}" in the wrong-state message
    statuses: frozenset[str]
    ever: Callable[[Any], bool]  # may this user ever do it (roles); refused before the state is looked at
    may: Callable[[Any, Any], bool]  # may this user do it to this case (policy.can_<verb>)
    refusal: Callable[[Any, Any], str]  # the 403 message, from (case, user)
    guard: Callable[[Any, Facts], Conflict | None] | None = field(default=None)


# --- guards (409 beyond the status) ---------------------------------------------------------------------


def _has_pending_step(case: Any, facts: Facts) -> Conflict | None:
    if policy.pending_step(case) is None:
        return Conflict(
            f"办件{case.number}当前没有待办环节（状态：{case.get_status_display()}）。", code="wrong_state"
        )
    return None


def _special_running(case: Any, facts: Facts) -> Conflict | None:
    if facts.suspension != SuspensionKind.SPECIAL:
        kind = SuspensionKind(facts.suspension).label if facts.suspension in SuspensionKind.values else "无"
        return Conflict(f"办件{case.number}当前挂起原因为「{kind}」，不是特别程序。", code="wrong_state")
    return _has_pending_step(case, facts)


def _something_to_supply(case: Any, facts: Facts) -> Conflict | None:
    if case.status == CaseStatus.FINISHED and not case.rongque_pending:
        return Conflict(f"办件{case.number}已办结，没有待补齐的容缺材料。", code="wrong_state")
    return None


def _result_to_deliver(case: Any, facts: Facts) -> Conflict | None:
    if case.result in (ResultKind.VOIDED, ResultKind.REFERRED):
        return Conflict(f"办件结果为「{case.get_result_display()}」，无需送达。", code="wrong_state")
    if case.rongque_pending:
        return Conflict(
            "该办件为容缺受理，容缺材料尚未补齐，办理结果暂扣，不能出件。", code="result_withheld"
        )
    return None


def _check_open(case: Any, facts: Facts) -> Conflict | None:
    if not facts.check:
        return Conflict(f"办件{case.number}未适用告知承诺，无需核查。", code="wrong_state")
    if facts.check not in (CheckStatus.PLANNED, CheckStatus.EXEMPT):
        return Conflict(
            f"该告知承诺已核查（{CheckStatus(facts.check).label}），不能重复核查。", code="wrong_state"
        )
    return None


# --- who may ever (before the state) --------------------------------------------------------------------


def _roles(*roles: str) -> Callable[[Any], bool]:
    return lambda user: policy.acts_as(user, *roles)


def _staff(user: Any) -> bool:
    """Acts decided by the case itself (the pending step's A/B, its assignee): any staff member may be."""
    return is_staff_actor(user)


def _staff_or_citizen(user: Any) -> bool:
    return is_staff_actor(user) or isinstance(user, CitizenActor)


def _withdraw_ever(user: Any) -> bool:
    return isinstance(user, SystemActor) or policy.acts_as(user, *policy.WITHDRAW_ROLES)


# --- refusals (403), today's Chinese messages --------------------------------------------------------------


def _decider_refusal(case: Any, user: Any) -> str:
    return f"只有{case.handling_centre.name}的前台受理员或中心主任可以作出受理决定。"


def _step_refusal(case: Any, user: Any) -> str:
    step = policy.pending_step(case)
    if step is None or not is_staff_actor(user):
        return "您的角色无权执行此操作。"
    where = step.post.name if step.post_id else "前台"
    return f"「{step.name}」环节由{where}办理，您不是该岗位的A角或B角。"


def _text(message: str) -> Callable[[Any, Any], str]:
    return lambda case, user: message


_DECIDING = frozenset(PENDING_STATUSES)
_ALIVE = frozenset((*PENDING_STATUSES, *OPEN_STATUSES))
S = CaseStatus

# In the order the case page shows the forms.
ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action(
            "accept",
            "受理",
            "受理",
            frozenset({S.RECEIVED}),
            _roles(*policy.DECIDE_ROLES),
            policy.can_decide,
            _decider_refusal,
        ),
        Action(
            "correction",
            "一次性告知（补正）",
            "出具一次性告知单",
            frozenset({S.RECEIVED}),
            _roles(*policy.DECIDE_ROLES),
            policy.can_decide,
            _decider_refusal,
        ),
        Action(
            "materials",
            "重新核对材料",
            "修改材料清单",
            _DECIDING,
            _roles(*policy.RECEIVE_ROLES),
            policy.can_edit_materials,
            _text("只有收件或受理中心的前台人员可以修改材料清单。"),
        ),
        Action(
            "reject",
            "不予受理",
            "作出不予受理决定",
            _DECIDING,
            _roles(*policy.DECIDE_ROLES),
            policy.can_decide,
            _decider_refusal,
        ),
        Action(
            "supply",
            "补交材料",
            "补交材料",
            frozenset({S.CORRECTION, *OPEN_STATUSES, S.FINISHED}),
            _roles(*policy.RECEIVE_ROLES),
            policy.can_supply,
            _text("只有收件或受理中心的前台人员（或本件代办员）可以登记补交材料。"),
            _something_to_supply,
        ),
        Action(
            "pass",
            "通过",
            "通过本环节",
            frozenset({S.PROCESSING}),
            _staff,
            policy.can_handle_step,
            _step_refusal,
            _has_pending_step,
        ),
        Action(
            "finish",
            "办结",
            "办结",
            frozenset({S.PROCESSING}),
            _staff,
            policy.can_handle_step,
            _step_refusal,
            _has_pending_step,
        ),
        Action(
            "return",
            "退回",
            "退回",
            frozenset({S.PROCESSING}),
            _staff,
            policy.can_handle_step,
            _step_refusal,
            _has_pending_step,
        ),
        Action(
            "special_start",
            "特别程序",
            "启动特别程序",
            frozenset({S.PROCESSING}),
            _staff,
            policy.can_handle_step,
            _step_refusal,
            _has_pending_step,
        ),
        Action(
            "special_end",
            "结束特别程序",
            "结束特别程序",
            frozenset({S.SUSPENDED}),
            _staff,
            policy.can_handle_step,
            _step_refusal,
            _special_running,
        ),
        Action(
            "resubmit",
            "前台复核",
            "重新提交",
            frozenset({S.RETURNED}),
            _staff,
            policy.can_resubmit,
            _text("只有受理人或本中心前台受理员可以复核后重新提交。"),
        ),
        Action(
            "deliver",
            "出件送达",
            "送达",
            frozenset({S.FINISHED}),
            _roles(*policy.DELIVER_ROLES),
            policy.can_deliver,
            _text("只有收件或受理中心的综合窗口人员（或本件代办员）可以出件。"),
            _result_to_deliver,
        ),
        Action(
            "check",
            "告知承诺核查",
            "登记核查结果",
            frozenset(S.values),
            _roles(*policy.CHECK_ROLES),
            policy.can_check_commitment,
            _text("只有受理中心的后台审批员、中心主任或主管部门可以登记核查结果。"),
            _check_open,
        ),
        Action(
            "agency",
            "代办",
            "指定代办员",
            frozenset({*_ALIVE, S.FINISHED}),
            _roles(*policy.AGENCY_ROLES),
            policy.can_assign_agency,
            _text("只有收件或受理中心的工作人员可以指定代办员。"),
        ),
        Action(
            "withdraw",
            "退件",
            "退件",
            _ALIVE,
            _withdraw_ever,
            policy.can_withdraw,
            lambda case, user: f"只有{case.handling_centre.name}的前台受理员或中心主任可以退件。",
        ),
        Action(
            "void",
            "作废",
            "作废",
            _ALIVE,
            _roles(*policy.VOID_ROLES),
            policy.can_void,
            _text("只有中心主任可以作废办件。"),
        ),
        Action(
            "upload",
            "上传材料",
            "上传材料",
            frozenset({*_ALIVE, S.FINISHED}),
            _staff_or_citizen,
            policy.can_attach_file,
            _text("只有收件或受理中心的工作人员可以上传材料。"),
        ),
    )
}


def wrong_state(case: Any, doing: str) -> Conflict:
    return Conflict(
        f"办件{case.number}当前状态为「{case.get_status_display()}」，不能{doing}。", code="wrong_state"
    )


def require_action(
    case: Any, user: Any, code: str, *, facts: Facts | None = None, doing: str | None = None
) -> None:
    """Refuse (Forbidden 403 or Conflict 409, with the Chinese message shown on the page and returned by
    the API) unless ``user`` may do ``code`` to ``case`` now. ``doing`` overrides the wrong-state wording
    (办结 names its result)."""
    action = ACTIONS[code]
    facts = facts or Facts()
    if not action.ever(user):
        raise Forbidden(action.refusal(case, user))
    if case.status not in action.statuses:
        raise wrong_state(case, doing or action.doing)
    if action.guard is not None:
        conflict = action.guard(case, facts)
        if conflict is not None:
            raise conflict
    if not action.may(user, case):
        raise Forbidden(action.refusal(case, user))


def allows(case: Any, user: Any, code: str, facts: Facts | None = None) -> bool:
    action = ACTIONS[code]
    facts = facts or Facts()
    return (
        action.ever(user)
        and case.status in action.statuses
        and (action.guard is None or action.guard(case, facts) is None)
        and action.may(user, case)
    )


def available_actions(case: Any, user: Any, facts: Facts | None = None) -> list[Action]:
    """The actions ``user`` may do to ``case`` now, in the order of `ACTIONS` (the page's order)."""
    return [a for code, a in ACTIONS.items() if allows(case, user, code, facts)]


# --- the deadline colour (限时办结, STD-3) -------------------------------------------------------------------

RED, YELLOW, GREEN, PAUSED = "red", "yellow", "green", "paused"
LEVELS = {RED: WarningLevel.RED, YELLOW: WarningLevel.YELLOW, GREEN: WarningLevel.NONE}


def clock_light(due_at: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> str:
    """Red once the promised moment has passed, yellow once the warning moment has; green before.
    `light_lookups` says the same as query filters: keep the two side by side."""
    if due_at is not None and now > due_at:
        return RED
    if warn_at is not None and now > warn_at:
        return YELLOW
    return GREEN


def light_lookups(now: dt.datetime) -> dict[str, dict[str, dt.datetime]]:
    """`clock_light` as ORM lookups over running cases (the deadline scan, supervision)."""
    return {RED: {"due_at__lt": now}, YELLOW: {"warn_at__lt": now, "due_at__gte": now}}


def deadline_light(case: Any, now: dt.datetime | None = None) -> str:
    """ "red", "yellow", "green", "paused" or "" (no clock) for a case or a list row, live (not waiting for
    the scan)."""
    now = now or timezone.now()
    if case.status == CaseStatus.SUSPENDED:
        return PAUSED
    if case.status not in CLOCK_RUNNING:
        return ""
    return clock_light(case.due_at, case.warn_at, now)


def warning_level(case: Any, now: dt.datetime) -> int:
    """The stored `WarningLevel` for a case whose clock runs (again), by the same colour."""
    return int(LEVELS[clock_light(case.due_at, case.warn_at, now)])
