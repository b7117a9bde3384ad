"""Assessment indicators (STD-7) computed from the ratings (STD-6), registered with the staffing app's
registry. One GROUP BY query each over the month and the assessed staff; excluded ratings (upheld appeal,
confirmed abuse) do not count."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from govhall.reviews.models import BAD_LEVELS, Outcome, Rating
from govhall.staffing.indicators import IndicatorResult, rate, register_indicator


def rating_satisfaction(ctx: Any) -> dict[int, Any]:
    """群众满意率 = (非常满意 + 满意 + 基本满意) / 评价总数 of the ratings given on the staff member's service."""
    rows = (
        Rating.objects.counted()
        .filter(clerk_id__in=ctx.staff_ids, created_at__gte=ctx.start, created_at__lt=ctx.end)
        .values("clerk_id")
        .annotate(total=Count("id"), bad=Count("id", filter=Q(level__in=BAD_LEVELS)))
    )
    out: dict[int, Any] = {}
    for row in rows:
        good = row["total"] - row["bad"]
        out[row["clerk_id"]] = IndicatorResult(
            rate(good, row["total"]), f"满意 {good} / 评价 {row['total']} 条（差评 {row['bad']}）"
        )
    return out


def bad_review_rectification(ctx: Any) -> dict[int, Any]:
    """差评整改率 = 已答复、已回访且已整改（或已解释说明）的实名差评 / 实名差评, for the 差评 given this month on
    the staff member's service."""
    handled = (
        Q(work_order__replied_at__isnull=False)
        & Q(work_order__visited_at__isnull=False)
        & (
            Q(work_order__outcome__in=(Outcome.RECTIFY, Outcome.EXPLAIN))
            | Q(work_order__outcome=Outcome.LEDGER, work_order__ledger_done_at__isnull=False)
        )
    )
    rows = (
        Rating.objects.counted()
        .filter(
            clerk_id__in=ctx.staff_ids,
            created_at__gte=ctx.start,
            created_at__lt=ctx.end,
            level__in=BAD_LEVELS,
            real_name=True,
        )
        .values("clerk_id")
        .annotate(total=Count("id"), done=Count("id", filter=handled))
    )
    out: dict[int, Any] = {}
    for row in rows:
        out[row["clerk_id"]] = IndicatorResult(
            rate(row["done"], row["total"]), f"整改到位 {row['done']} / 实名差评 {row['total']} 条"
        )
    return out


def register_review_indicators() -> None:
    register_indicator(
        "rating_satisfaction",
        "群众满意率（好差评）",
        rating_satisfaction,
        description="本月对本人服务的评价中非常满意、满意、基本满意的比例；申诉成立的差评不计入",
    )
    register_indicator(
        "bad_review_rectification",
        "差评整改率",
        bad_review_rectification,
        description="本月本人实名差评中已答复、已回访并整改到位（或解释说明）的比例",
    )
