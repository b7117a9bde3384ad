"""Periodic work: deadline warnings (黄牌/红牌), 容缺 deadlines (MODE-3), AB re-routing (STD-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from govhall.cases import clock
from govhall.cases.models import (
    CLOCK_RUNNING,
    Case,
    CaseEvent,
    CaseRules,
    CaseStatus,
    CaseStep,
    MaterialStatus,
    ResultKind,
    StepKind,
    StepStatus,
    SuspensionKind,
    WarningLevel,
)
from govhall.cases.notify import notify_applicant, notify_staff, staff_phones
from govhall.cases.rules import RED, YELLOW, light_lookups
from govhall.cases.services._shared import (
    DEADLINE_SCAN,
    REROUTING,
    RONGQUE_SCAN,
    _audit,
    _event,
    _lock,
    _publish,
    _set_deadline,
    _state,
)
from govhall.cases.services.finish import case_finish
from govhall.cases.services.steps import (
    _suspend,
)
from govhall.cases.services.texts import (
    fmt_date,
    scan_digest,
)
from govhall.core.audit import audit_record
from govhall.orgs.models import Post
from govhall.staffing.services import Availability, post_handler


def cases_scan_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag running cases that crossed their warning moment (黄牌) or deadline (红牌) since the last scan,
    and notify through the outbox: each handler once about their newly flagged cases, each centre director
    once about the newly overdue ones. Two indexed queries find them; flagged cases are not touched again."""
    now = now or timezone.now()
    running = Case.objects.filter(status__in=CLOCK_RUNNING)
    lookups = light_lookups(now)
    red = list(
        running.filter(**lookups[RED], warning_level__lt=WarningLevel.RED).values_list("pk", flat=True)
    )
    yellow = list(
        running.filter(**lookups[YELLOW], warning_level__lt=WarningLevel.YELLOW).values_list("pk", flat=True)
    )
    if not red and not yellow:
        return {"yellow": 0, "red": 0}
    notify_director = CaseRules.current().scan_notify_director
    with transaction.atomic():
        running.filter(pk__in=red).update(warning_level=WarningLevel.RED, red_notified_at=now)
        running.filter(pk__in=yellow).update(warning_level=WarningLevel.YELLOW, yellow_notified_at=now)
        flagged = list(
            running.filter(pk__in=red + yellow)
            .select_related("current_assignee", "handling_centre__director")
            .only(
                "pk",
                "number",
                "matter_name",
                "due_at",
                "warning_level",
                "current_assignee",
                "handling_centre__name",
                "handling_centre__director",
            )
        )
        CaseEvent.objects.bulk_create([_flag_event(case, now) for case in flagged], batch_size=1000)
        _notify_flagged(flagged, notify_director)
        audit_record(
            action="case.scan.deadlines",
            object_type="cases.case",
            actor=DEADLINE_SCAN,
            after={"yellow": len(yellow), "red": len(red), "ids": (red + yellow)[:1000]},
        )
    return {"yellow": len(yellow), "red": len(red)}


def _flag_event(case: Case, now: dt.datetime) -> CaseEvent:
    """The 黄牌/红牌 row of a newly flagged case's timeline (staff only)."""
    is_red = case.warning_level == WarningLevel.RED
    return CaseEvent(
        case=case,
        at=now,
        action="red" if is_red else "yellow",
        label="红牌（超期）" if is_red else "黄牌预警",
        actor_label=DEADLINE_SCAN.label,
        centre_name=case.handling_centre.name,
        detail=scan_digest([case]),
        public=False,
    )


def _notify_flagged(flagged: list[Case], notify_director: bool) -> None:
    """One SMS per handler about their newly flagged cases, one per director about the newly overdue ones
    (unless the director is the handler)."""
    handlers: dict[int, list[Case]] = {}
    directors: dict[int, list[Case]] = {}
    for case in flagged:
        if case.current_assignee_id:
            handlers.setdefault(case.current_assignee_id, []).append(case)
        director_id = case.handling_centre.director_id
        is_red = case.warning_level == WarningLevel.RED
        if is_red and notify_director and director_id and director_id != case.current_assignee_id:
            directors.setdefault(director_id, []).append(case)
    phones = staff_phones(set(handlers) | set(directors))
    for cases in handlers.values():
        notify_staff(
            cases[0].current_assignee,
            scan_digest(cases),
            related=cases[0] if len(cases) == 1 else None,
            phones=phones,
        )
    for cases in directors.values():
        notify_staff(
            cases[0].handling_centre.director,
            "【超期督办】" + scan_digest(cases),
            related=cases[0] if len(cases) == 1 else None,
            phones=phones,
        )


def cases_scan_rongque(*, now: dt.datetime | None = None) -> dict[str, int]:
    """容缺 (MODE-3): a case whose missing materials are past their deadline is suspended (补正); still
    missing `rongque_return_days` working days after the deadline, it is returned (退件)."""
    now = now or timezone.now()
    return_days = CaseRules.current().rongque_return_days
    late = Case.objects.filter(status=CaseStatus.PROCESSING, rongque_pending=True, rongque_deadline__lt=now)
    suspended = sum(_suspend_late(pk, now, return_days) for pk in list(late.values_list("pk", flat=True)))
    expired = Case.objects.filter(
        status=CaseStatus.SUSPENDED,
        rongque_pending=True,
        rongque_return_at__lt=now,
        suspensions__ended_at__isnull=True,
        suspensions__kind=SuspensionKind.RONGQUE,
    )
    returned = 0
    for pk in list(expired.values_list("pk", flat=True)):
        case_finish(
            case=Case(pk=pk),
            actor=RONGQUE_SCAN,
            result=ResultKind.WITHDRAWN,
            reason="容缺材料逾期未补齐，挂起期满仍未补齐，作退件处理",
        )
        returned += 1
    return {"suspended": suspended, "returned": returned}


@transaction.atomic
def _suspend_late(pk: int, now: dt.datetime, return_days: int) -> bool:
    """Suspend one case whose 容缺 materials are late (补正); False when it changed meanwhile."""
    case = _lock(Case(pk=pk))
    if case.status != CaseStatus.PROCESSING or not case.rongque_pending:
        return False
    missing = "、".join(case.materials.filter(status=MaterialStatus.RONGQUE).values_list("name", flat=True))
    _suspend(
        case, kind=SuspensionKind.RONGQUE, actor=RONGQUE_SCAN, at=now, reason=f"容缺材料逾期未补齐：{missing}"
    )
    _set_deadline(case, "rongque_return_at", clock.extend(case, "rongque_deadline", return_days, "workday"))
    case.save()
    _event(
        case,
        "rongque_overdue",
        "容缺逾期挂起",
        RONGQUE_SCAN,
        f"容缺材料（{missing}）未在{fmt_date(case.rongque_deadline)}前补齐，办件挂起；"
        f"{fmt_date(case.rongque_return_at)}前仍未补齐的，作退件处理。",
        at=now,
    )
    notify_applicant(
        case,
        f"您的办件{case.number}容缺材料逾期未补齐，已暂停办理，"
        f"请于{fmt_date(case.rongque_return_at)}前补齐，逾期作退件处理。",
    )
    _publish(case, "suspended")
    _audit(case, "rongque.suspend", RONGQUE_SCAN, {"status": CaseStatus.PROCESSING}, _state(case))
    return True


def case_steps_reroute(*, now: dt.datetime | None = None, post_ids: Iterable[int] | None = None) -> int:
    """AB角 (STD-4): give every pending step to whoever handles its post now (A away on leave or not
    signed in → B; both away → the director). Returns how many steps changed hands."""
    now = now or timezone.now()
    pending = CaseStep.objects.filter(status=StepStatus.PENDING, kind=StepKind.APPROVE, post__isnull=False)
    if post_ids is not None:
        pending = pending.filter(post_id__in=list(post_ids))
    posts = list(
        Post.objects.filter(pk__in=pending.values("post_id")).select_related("a_staff", "b_staff", "centre")
    )
    if not posts:
        return 0
    board = Availability([u for p in posts for u in (p.a_staff, p.b_staff)], now)
    moved = 0
    for post in posts:
        handler = post_handler(post=post, at=now, availability=board)
        stale = list(pending.filter(post=post).exclude(assignee=handler.user).values_list("pk", "case_id"))
        if not stale:
            continue
        step_ids, case_ids = [s for s, _c in stale], [c for _s, c in stale]
        with transaction.atomic():
            CaseStep.objects.filter(pk__in=step_ids).update(
                assignee=handler.user, assignee_role=handler.role, route_reason=handler.reason[:200]
            )
            Case.objects.filter(pk__in=case_ids, current_step_id__in=step_ids).update(
                current_assignee=handler.user
            )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=c,
                        at=now,
                        action="reroute",
                        label="AB角转交",
                        actor_label=REROUTING.label,
                        centre_name=post.centre.name,
                        detail=f"{post.name}：{handler.reason}",
                        public=False,
                    )
                    for c in case_ids
                ]
            )
            audit_record(
                action="case.reroute",
                object_type="orgs.post",
                object_id=str(post.pk),
                actor=REROUTING,
                after={"assignee": handler.user.pk, "role": handler.role, "steps": step_ids[:1000]},
            )
        moved += len(step_ids)
    return moved
