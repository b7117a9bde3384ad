"""The registry of assessment indicators (考核指标). A scheme's indicator names a registered function by
its code; the function computes, for a whole month and a whole set of staff at once, each staff member's
score on a 0–100 scale and the raw figure behind it.

Other apps plug in from their AppConfig.ready():

    from govhall.staffing.indicators import IndicatorContext, IndicatorResult, register_indicator

    def overdue_cases(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
        ...one GROUP BY query over ctx.staff_ids between ctx.start and ctx.end...
        return {staff_id: IndicatorResult(score=Decimal("95"), value="超期 1 / 办结 20 件"), ...}

    register_indicator("cases_overdue", "办件超期", overdue_cases)

A staff member missing from the returned dict, or given `score=None`, has no record for that indicator
this month: it is shown as 不适用 and its weight is left out (the other weights are rescaled), so nobody
loses points for work their post does not do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from govhall.staffing.models import Attendance, Enquiry, EnquiryStatus, Leave

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(part: int, whole: int) -> Decimal:
    return quantize(Decimal(part) * HUNDRED / Decimal(whole))


@dataclass(frozen=True)
class IndicatorResult:
    score: Decimal | None  # 0–100; None = not applicable this month
    value: str  # the raw figure in words, e.g. "签到 20 / 应出勤 21 天"


@dataclass
class IndicatorContext:
    """One month's computation: `start` ≤ t < `end` (aware, local midnight), `today` caps day counts for a
    month still running; `staff` are the users assessed (with centre loaded)."""

    month: dt.date
    start: dt.datetime
    end: dt.datetime
    today: dt.date
    staff: Sequence[Any]
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def staff_ids(self) -> list[int]:
        return [u.pk for u in self.staff]

    @property
    def last_day(self) -> dt.date:
        """The last day counted: the month's last day, or today while the month is running."""
        return min((self.end - dt.timedelta(seconds=1)).date(), self.today)


IndicatorFn = Callable[[IndicatorContext], Mapping[int, IndicatorResult]]


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    label: str
    fn: IndicatorFn
    description: str = ""


_REGISTRY: dict[str, IndicatorDef] = {}


def register_indicator(code: str, label: str, fn: IndicatorFn, *, description: str = "") -> None:
    """Register (or replace) the indicator `code`. Schemes may then weight it."""
    if not code or len(code) > 40:
        raise ValueError("indicator code must be 1–40 characters")
    _REGISTRY[code] = IndicatorDef(code=code, label=label, fn=fn, description=description)


def unregister_indicator(code: str) -> None:
    _REGISTRY.pop(code, None)


def get_indicator(code: str) -> IndicatorDef | None:
    return _REGISTRY.get(code)


def registered_indicators() -> list[IndicatorDef]:
    return sorted(_REGISTRY.values(), key=lambda d: d.code)


# --- built-in indicators -------------------------------------------------------------------------

# Leave kinds that count as present (on duty elsewhere) and kinds that are statutory or granted leave,
# which reduce the days due rather than count as absence. 事假, 病假 and 其他 count as absence.
ON_DUTY_KINDS = frozenset({"business", "training"})
EXCUSED_KINDS = frozenset({"annual", "marriage", "maternity", "bereavement", "compensatory"})


def _day_span(ctx: IndicatorContext) -> list[dt.date]:
    first = ctx.start.date()
    return [first + dt.timedelta(days=i) for i in range((ctx.last_day - first).days + 1)]


def _working_days(ctx: IndicatorContext) -> list[dt.date]:
    if "working_days" not in ctx.cache:
        # staffing.services imports this registry (HUNDRED, the builders) at its top: a call-time import
        from govhall.staffing.services import working_days_in

        ctx.cache["working_days"] = working_days_in(_day_span(ctx))
    return ctx.cache["working_days"]


def _attendance_days(ctx: IndicatorContext) -> dict[int, dict[dt.date, bool]]:
    """staff id → {date: on time?} for the month."""
    if "attendance_days" not in ctx.cache:
        days: dict[int, dict[dt.date, bool]] = defaultdict(dict)
        rows = Attendance.objects.filter(
            staff_id__in=ctx.staff_ids, date__gte=ctx.start.date(), date__lte=ctx.last_day
        ).values_list("staff_id", "date", "sign_in_at", "deadline")
        for staff_id, date, sign_in_at, deadline in rows:
            days[staff_id][date] = timezone.localtime(sign_in_at).time() <= deadline
        ctx.cache["attendance_days"] = days
    return ctx.cache["attendance_days"]


def _leave_days(ctx: IndicatorContext) -> dict[int, dict[dt.date, str]]:
    """staff id → {date: leave kind} for each day an approved leave touches."""
    days: dict[int, dict[dt.date, str]] = defaultdict(dict)
    end = min(
        ctx.end,
        dt.datetime.combine(ctx.last_day + dt.timedelta(days=1), dt.time.min, tzinfo=ctx.start.tzinfo),
    )
    rows = (
        Leave.objects.approved()
        .overlapping(ctx.start, end)
        .filter(staff_id__in=ctx.staff_ids)
        .values_list("staff_id", "kind", "start_at", "end_at")
    )
    for staff_id, kind, start_at, end_at in rows:
        first = max(timezone.localtime(start_at).date(), ctx.start.date())
        # A leave ending at midnight does not touch the day that starts then.
        last = timezone.localtime(end_at - dt.timedelta(microseconds=1)).date()
        day = first
        while day <= min(last, ctx.last_day):
            days[staff_id].setdefault(day, kind)
            day += dt.timedelta(days=1)
    return days


def attendance_rate(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
    """出勤率 = (签到天数 + 公出/培训天数) / (工作日 − 年休假等准假天数), counted from the staff member's
    joining date; a day with a sign-in counts as present whatever leave it also has."""
    working = _working_days(ctx)
    signed = _attendance_days(ctx)
    leaves = _leave_days(ctx)
    out: dict[int, IndicatorResult] = {}
    for user in ctx.staff:
        joined = timezone.localtime(user.date_joined).date() if user.date_joined else ctx.start.date()
        present = due = excused = 0
        for day in working:
            if day < joined:
                continue
            kind = leaves[user.pk].get(day)
            if day in signed[user.pk] or kind in ON_DUTY_KINDS:
                present += 1
                due += 1
            elif kind in EXCUSED_KINDS:
                excused += 1
            else:
                due += 1
        if due == 0:
            out[user.pk] = IndicatorResult(None, f"本月无应出勤工作日（准假 {excused} 天）")
            continue
        extra = f"，准假 {excused} 天" if excused else ""
        out[user.pk] = IndicatorResult(rate(present, due), f"出勤 {present} / 应出勤 {due} 天{extra}")
    return out


def punctuality_rate(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
    """准时签到率 = 在签到截止时间前签到的天数 / 签到天数."""
    signed = _attendance_days(ctx)
    out: dict[int, IndicatorResult] = {}
    for user in ctx.staff:
        days = signed.get(user.pk, {})
        if not days:
            out[user.pk] = IndicatorResult(None, "本月无签到记录")
            continue
        on_time = sum(1 for ok in days.values() if ok)
        out[user.pk] = IndicatorResult(rate(on_time, len(days)), f"准时 {on_time} / 签到 {len(days)} 天")
    return out


def enquiry_handling_rate(ctx: IndicatorContext) -> dict[int, IndicatorResult]:
    """首问办结率 = 本月登记的首问中已答复、已转交或已转为办件的条数 / 本月登记条数 (by the first staff)."""
    rows = (
        Enquiry.objects.filter(
            first_staff_id__in=ctx.staff_ids, created_at__gte=ctx.start, created_at__lt=ctx.end
        )
        .values("first_staff_id")
        .annotate(total=Count("id"), handled=Count("id", filter=~Q(status=EnquiryStatus.OPEN)))
    )
    out: dict[int, IndicatorResult] = {}
    for row in rows:
        out[row["first_staff_id"]] = IndicatorResult(
            rate(row["handled"], row["total"]), f"办结 {row['handled']} / 登记 {row['total']} 条"
        )
    return out


def register_builtin_indicators() -> None:
    register_indicator(
        "attendance",
        "出勤率",
        attendance_rate,
        description="(签到天数+公出/培训天数)/(工作日−年休假等准假天数)",
    )
    register_indicator(
        "punctuality", "准时签到率", punctuality_rate, description="签到截止时间前签到的天数/签到天数"
    )
    register_indicator(
        "enquiry_handling",
        "首问办结率",
        enquiry_handling_rate,
        description="本月首问登记中已答复、已转交或已转为办件的比例",
    )
