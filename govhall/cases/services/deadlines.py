"""Provisional deadlines (STD-3): which case dates wait for next year's holidays, and what the
timeline and the applicant are told when they are recomputed."""

from __future__ import annotations

from typing import Any

from govhall.cases.models import (
    Case,
    CheckStatus,
    CommitmentCheck,
)
from govhall.cases.notify import notify_applicant
from govhall.cases.rules import OPEN_STATUSES
from govhall.cases.services._shared import (
    DEADLINE_RECOMPUTE,
    _event,
    _publish,
)
from govhall.cases.services.texts import (
    DEADLINE_LABELS,
    fmt_date,
    fmt_time,
)
from govhall.core import provisional
from govhall.core.calendar import Deadline, tentative


def _case_deadline_recomputed(case: Case, field: str, before: Any, after: Any, deadline: Deadline) -> None:
    """A provisional date of this case was recomputed on the import of its year's holidays: the timeline
    says so; the applicant gets an SMS when the date moved."""
    label = DEADLINE_LABELS.get(field)
    if label is None:  # warn_at, rongque_return_at: internal moments, nothing to tell
        return
    fmt = fmt_time if field == "due_at" else fmt_date
    new = tentative(fmt(after), deadline.waits_for_year)
    moved = before != after
    detail = (
        f"节假日安排已录入，{label}由{fmt(before)}（暂定）重新核定为{new}。"
        if moved
        else f"节假日安排已录入，{label}{new}经重新核定不变。"
    )
    _event(case, "deadline_recompute", "期限重新核定", DEADLINE_RECOMPUTE, detail)
    if moved:
        notify_applicant(
            case,
            f"您的办件{case.number}（{case.matter_name}）{label}已按节假日安排重新核定为"
            f"{tentative(fmt_date(after), deadline.waits_for_year)}。",
        )
    _publish(case, "deadline")


def _open(case: Case) -> bool:
    return case.status in OPEN_STATUSES


def _rongque_open(case: Case) -> bool:
    return case.status in OPEN_STATUSES and case.rongque_pending


def track_deadlines() -> None:
    """Declare the case deadlines that may be provisional (from CasesConfig.ready): those of an open case
    (`rules.OPEN_STATUSES`), the 容缺 ones while the materials are still owed."""
    provisional.track(
        Case,
        "due_at",
        flag="due_waits_for",
        is_open=_open,
        on_recomputed=_case_deadline_recomputed,
    )
    provisional.track(Case, "warn_at", is_open=_open)
    provisional.track(
        Case,
        "rongque_deadline",
        flag="rongque_waits_for",
        is_open=_rongque_open,
        on_recomputed=_case_deadline_recomputed,
    )
    provisional.track(Case, "rongque_return_at", is_open=_rongque_open)
    provisional.track(CommitmentCheck, "due_at", is_open=lambda c: c.status == CheckStatus.PLANNED)
