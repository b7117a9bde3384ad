"""The case flow's indicators for the monthly staff assessment (STD-7), registered with staffing's registry
from CasesConfig.ready(). Each is one or two GROUP BY queries over the month and the staff assessed."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q

from govhall.cases.models import Case, CaseStep, StepKind, StepStatus
from govhall.staffing.indicators import IndicatorContext, IndicatorResult, quantize, rate, register_indicator


def _handled_steps(ctx: IndicatorContext) -> dict[int, dict[str, int]]:
    rows = (
        CaseStep.objects.filter(
            handler_id__in=ctx.staff_ids,
            status=StepStatus.DONE,
            kind__in=(StepKind.ACCEPT, StepKind.APPROVE),
            finished_at__gte=ctx.start,
            finished_at__lt=ctx.end,
        )
        .values("handler_id")
        .annotate(
            total=Count("id"),
            late=Count("id", filter=Q(case__due_at__isnull=False, finished_at__gt=F("case__due_at"))),
        )
    )
    return {r["handler_id"]: {"total": r["total"], "late": r["late"]} for r in rows}


def on_time_rate(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
    """办件按时办结率 = 在承诺办结时间内办理完的环节 / 本月办理的环节 (受理 and approval steps)."""
    out: dict[int, IndicatorResult] = {}
    for staff_id, row in _handled_steps(ctx).items():
        on_time = row["total"] - row["late"]
        out[staff_id] = IndicatorResult(
            rate(on_time, row["total"]), f"按时 {on_time} / 办理 {row['total']} 个环节（超期 {row['late']}）"
        )
    return out


def volume(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
    """办件量: cases received plus steps handled this month, scored against the busiest colleague assessed."""
    received = dict(
        Case.objects.filter(
            receiver_id__in=ctx.staff_ids,
            received_at__gte=ctx.start,
            received_at__lt=ctx.end,
        )
        .values("receiver_id")
        .annotate(n=Count("id"))
        .values_list("receiver_id", "n")
    )
    steps = {k: v["total"] for k, v in _handled_steps(ctx).items()}
    totals = {pk: received.get(pk, 0) + steps.get(pk, 0) for pk in set(received) | set(steps)}
    if not totals:
        return {}
    best = max(totals.values())
    return {
        pk: IndicatorResult(
            quantize(Decimal(100) * n / best),
            f"收件 {received.get(pk, 0)} 件，办理环节 {steps.get(pk, 0)} 个",
        )
        for pk, n in totals.items()
    }


def register() -> None:
    register_indicator(
        "cases_on_time",
        "办件按时办结率",
        on_time_rate,
        description="本月办理的受理、审批环节中，在承诺办结时间内完成的比例（STD-3）",
    )
    register_indicator(
        "cases_volume",
        "办件量",
        volume,
        description="本月收件数加办理环节数，与参评人员中最多者相比（100分）",
    )
