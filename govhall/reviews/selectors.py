"""Reads for pages, the API and dashboards: rating lists, figures per clerk/window/matter/centre/town/month
(computed from the records every time — there is no stored figure anyone could edit), 好评榜/差评榜,
the public centre summary, the rating pad's state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases.models import Case
from govhall.catalog.models import Matter
from govhall.core.calendar import month_instants
from govhall.onething.models import OneThing, ThingCase
from govhall.orgs.models import Centre, Window
from govhall.orgs.policy import centre_ids_visible_to
from govhall.queueing.models import Ticket, TicketStatus, WindowPause, WindowState, WindowStatus
from govhall.reviews.links import case_id_from_token, thing_id_from_token
from govhall.reviews.models import (
    BAD_LEVELS,
    OPEN_ORDER_STATUSES,
    Level,
    Outcome,
    Rating,
    RatingPad,
    WorkOrder,
)
from govhall.reviews.policy import orders_visible_to, ratings_visible_to, sees_whole_centre
from govhall.reviews.services import review_settings_in_force, ticket_rating_open

DIMENSIONS = {
    "clerk": "被评价人员",
    "window": "窗口",
    "matter": "事项",
    "centre": "服务中心",
    "town": "镇（含所辖村）",
    "month": "月份",
}
_GROUP_FIELD = {
    "clerk": "clerk_id",
    "window": "window_id",
    "matter": "matter_id",
    "centre": "centre_id",
    "town": "town_centre_id",
    "month": "month",
}


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- periods ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    label: str


def month_period(month: dt.date) -> Period:
    """The figures' period for the month holding `month` (its bounds from `core.calendar`)."""
    start, end = month_instants(month)
    return Period(start, end, f"{start.year}年{start.month}月")


def year_period(year: int) -> Period:
    tz = timezone.get_default_timezone()
    return Period(dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz), f"{year}年")


def parse_month(raw: str | None, default: dt.date | None = None) -> dt.date | None:
    """'2026-03' → date(2026, 3, 1); None/'' → default; anything else → None (the caller says so)."""
    if not raw:
        return default
    try:
        year, month = (int(p) for p in str(raw).split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return None


# --- lists ----------------------------------------------------------------------------------------------


def ratings_for_list(
    user: Any,
    *,
    centre_id: int | None = None,
    clerk_id: int | None = None,
    window_id: int | None = None,
    matter_id: int | None = None,
    level: int | None = None,
    bad: bool = False,
    period: Period | None = None,
) -> QuerySet[Rating]:
    qs = ratings_visible_to(user).select_related(
        "centre", "window", "matter", "clerk", "case", "thing_case", "ticket", "work_order", "appeal"
    )
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    if clerk_id:
        qs = qs.filter(clerk_id=clerk_id)
    if window_id:
        qs = qs.filter(window_id=window_id)
    if matter_id:
        qs = qs.filter(matter_id=matter_id)
    if level:
        qs = qs.filter(level=level)
    if bad:
        qs = qs.filter(level__in=BAD_LEVELS)
    if period:
        qs = qs.filter(created_at__gte=period.start, created_at__lt=period.end)
    return qs.order_by("-created_at", "-id")


# --- figures ---------------------------------------------------------------------------------------------


@dataclass
class FigureRow:
    key: Any
    label: str
    total: int = 0
    levels: dict[int, int] = field(default_factory=dict)
    bad: int = 0
    real_name_bad: int = 0
    replied: int = 0
    rectified: int = 0
    needs_rectification: int = 0
    visited: int = 0
    excluded: int = 0
    pauses: int = 0
    pause_minutes: int = 0

    @property
    def satisfied(self) -> int:
        return self.total - self.bad

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率（好评率）= (非常满意 + 满意 + 基本满意) / 评价总数."""
        return pct(self.satisfied, self.total)

    @property
    def reply_rate(self) -> Decimal | None:
        return pct(self.replied, self.real_name_bad)

    @property
    def rectify_rate(self) -> Decimal | None:
        return pct(self.rectified, self.needs_rectification)

    @property
    def visit_rate(self) -> Decimal | None:
        return pct(self.visited, self.real_name_bad)

    @property
    def level_list(self) -> list[int]:
        return [self.levels.get(v, 0) for v in Level.values]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key.isoformat() if isinstance(self.key, dt.date) else self.key,
            "label": self.label,
            "total": self.total,
            "levels": {str(k): self.levels.get(k, 0) for k in Level.values},
            "satisfied": self.satisfied,
            "bad": self.bad,
            "satisfaction_rate": self.satisfaction_rate,
            "real_name_bad": self.real_name_bad,
            "replied": self.replied,
            "reply_rate": self.reply_rate,
            "rectified": self.rectified,
            "needs_rectification": self.needs_rectification,
            "rectify_rate": self.rectify_rate,
            "visited": self.visited,
            "visit_rate": self.visit_rate,
            "excluded": self.excluded,
            "pauses": self.pauses,
            "pause_minutes": self.pause_minutes,
        }


_REAL_BAD = Q(level__in=BAD_LEVELS, real_name=True)
_RECTIFIED = Q(work_order__outcome=Outcome.RECTIFY) | Q(
    work_order__outcome=Outcome.LEDGER, work_order__ledger_done_at__isnull=False
)


def _aggregates() -> dict[str, Any]:
    counted = Q(excluded=False)
    aggs: dict[str, Any] = {f"l{v}": Count("id", filter=counted & Q(level=v)) for v in Level.values}
    aggs.update(
        total=Count("id", filter=counted),
        excluded_n=Count("id", filter=Q(excluded=True)),
        real_bad=Count("id", filter=counted & _REAL_BAD),
        replied=Count("id", filter=counted & _REAL_BAD & Q(work_order__replied_at__isnull=False)),
        visited=Count("id", filter=counted & _REAL_BAD & Q(work_order__visited_at__isnull=False)),
        rectified=Count("id", filter=counted & _REAL_BAD & _RECTIFIED),
        explained=Count("id", filter=counted & _REAL_BAD & Q(work_order__outcome=Outcome.EXPLAIN)),
    )
    return aggs


def _row_from(values: dict[str, Any], key: Any, label: str) -> FigureRow:
    levels = {v: values[f"l{v}"] for v in Level.values}
    return FigureRow(
        key=key,
        label=label,
        total=values["total"],
        levels=levels,
        bad=sum(levels[v] for v in BAD_LEVELS),
        real_name_bad=values["real_bad"],
        replied=values["replied"],
        visited=values["visited"],
        rectified=values["rectified"],
        needs_rectification=values["real_bad"] - values["explained"],
        excluded=values["excluded_n"],
    )


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    ids = [k for k in keys if k is not None]
    if by == "clerk":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    if by == "window":
        return {
            w.pk: f"{w.centre.name} {w}" for w in Window.objects.filter(pk__in=ids).select_related("centre")
        }
    if by == "matter":
        return dict(Matter.objects.filter(pk__in=ids).values_list("pk", "name"))
    if by in ("centre", "town"):
        return dict(Centre.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {k: f"{k.year}年{k.month}月" for k in ids}


def _scope(user: Any, *, period: Period, centre_id: int | None = None) -> QuerySet[Rating]:
    qs = ratings_visible_to(user).filter(created_at__gte=period.start, created_at__lt=period.end)
    if centre_id:
        qs = qs.filter(Q(centre_id=centre_id) | Q(town_centre_id=centre_id))
    return qs


def figures(
    user: Any, *, by: str, period: Period, centre_id: int | None = None, with_pauses: bool = True
) -> list[FigureRow]:
    """Rating figures grouped by one dimension, for what `user` may see, in `period`: counts per level,
    满意率, 差评, and the real-name 差评 回复率/整改率/回访率. Window pauses (暂停服务, STD-7) are added for
    clerk, window, centre, town and month. Two queries (plus one for labels)."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    qs = _scope(user, period=period, centre_id=centre_id)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_default_timezone()))
    group = _GROUP_FIELD[by]
    if by == "matter":
        return _matter_figures(qs)
    rows = list(qs.values(group).annotate(**_aggregates()).order_by(group))
    keys = [r[group] for r in rows]
    if by == "month":
        keys = [k.date() if isinstance(k, dt.datetime) else k for k in keys]
    labels = _labels(by, keys)
    out = {key: _row_from(r, key, labels.get(key, "（未关联）")) for key, r in zip(keys, rows, strict=True)}
    if with_pauses and by != "matter":
        for key, (count, minutes) in pause_figures(user, by=by, period=period, centre_id=centre_id).items():
            row = out.get(key)
            if row is None:
                row = out[key] = FigureRow(key=key, label=_labels(by, [key]).get(key, "（未关联）"))
            row.pauses, row.pause_minutes = count, minutes
    return sorted(out.values(), key=lambda r: (r.key is None, str(r.key) if by == "month" else r.label))


THING_KEY = "thing-"  # the key of a whole 一件事's row among the matters: "thing-<OneThing id>"


def _matter_figures(qs: QuerySet[Rating]) -> list[FigureRow]:
    """By matter: a whole 一件事's ratings (一事一评, no matter of their own) form one row per 一件事 —
    「一件事：<name>」, keyed "thing-<id>" — instead of falling under 「（未关联）」 (MODE-1, STD-6)."""
    thing_field = "thing_case__thing_id"
    rows = list(
        qs.values("matter_id", thing_field).annotate(**_aggregates()).order_by("matter_id", thing_field)
    )
    matters = _labels("matter", [r["matter_id"] for r in rows])
    things = dict(
        OneThing.objects.filter(pk__in=[r[thing_field] for r in rows if r[thing_field]]).values_list(
            "pk", "name"
        )
    )
    out: list[FigureRow] = []
    for r in rows:
        if r["matter_id"] is None and r[thing_field] is not None:
            key: Any = f"{THING_KEY}{r[thing_field]}"
            label = f"一件事：{things.get(r[thing_field], '（已删除）')}"
        else:
            key, label = r["matter_id"], matters.get(r["matter_id"], "（未关联）")
        out.append(_row_from(r, key, label))
    return sorted(out, key=lambda row: (row.key is None, row.label))


def totals(user: Any, *, period: Period, centre_id: int | None = None) -> FigureRow:
    values = _scope(user, period=period, centre_id=centre_id).aggregate(**_aggregates())
    return _row_from(values, None, "合计")


def pause_figures(
    user: Any, *, by: str, period: Period, centre_id: int | None = None
) -> dict[Any, tuple[int, int]]:
    """暂停服务 (STD-7): number of pauses and paused minutes per clerk/window/centre/town/month in the period;
    a pause still running counts up to now."""
    qs = WindowPause.objects.filter(started_at__gte=period.start, started_at__lt=period.end)
    if not sees_whole_centre(user):
        qs = qs.filter(by_id=user.pk)
    ids = centre_ids_visible_to(user)
    if ids is not None:
        qs = qs.filter(window__centre_id__in=ids)
    if centre_id:
        qs = qs.filter(Q(window__centre_id=centre_id) | Q(window__centre__parent_id=centre_id))
    now = timezone.now()
    qs = qs.annotate(
        length=ExpressionWrapper(
            Coalesce("ended_at", Value(now)) - F("started_at"), output_field=DurationField()
        )
    )
    if by == "clerk":
        group: Any = "by_id"
    elif by == "window":
        group = "window_id"
    elif by == "centre":
        group = "window__centre_id"
    elif by == "town":
        qs = qs.annotate(town=Coalesce("window__centre__parent_id", "window__centre_id"))
        group = "town"
    else:
        qs = qs.annotate(month=TruncMonth("started_at", tzinfo=timezone.get_default_timezone()))
        group = "month"
    out: dict[Any, tuple[int, int]] = {}
    for row in qs.values(group).annotate(n=Count("id"), length_sum=Sum("length")).order_by():
        key = row[group]
        if isinstance(key, dt.datetime):
            key = key.date()
        total = row["length_sum"]
        out[key] = (row["n"], int(total.total_seconds() // 60) if total else 0)
    return out


# --- 好评榜 / 差评榜 ------------------------------------------------------------------------------------------


@dataclass
class Rankings:
    by: str
    period: Period
    min_count: int
    good: list[FigureRow]
    bad: list[FigureRow]


def rankings(user: Any, *, by: str, period: Period, min_count: int = 10, limit: int = 10) -> Rankings:
    """好评榜: the highest 满意率 among those with at least `min_count` ratings (ties: more ratings first);
    差评榜: the most 差评 (ties: lower 满意率 first)."""
    rows = [r for r in figures(user, by=by, period=period, with_pauses=False) if r.key is not None]
    eligible = [r for r in rows if r.total >= min_count]
    good = sorted(eligible, key=lambda r: (-(r.satisfaction_rate or 0), -r.total, r.label))[:limit]
    bad = sorted([r for r in rows if r.bad], key=lambda r: (-r.bad, r.satisfaction_rate or 0, r.label))[
        :limit
    ]
    return Rankings(by=by, period=period, min_count=min_count, good=good, bad=bad)


# --- public summary (no personal data) -------------------------------------------------------------------


def public_summary(centre: Any, *, period: Period) -> dict[str, Any]:
    """A centre's published figures: totals, levels, 满意率, 差评 and how they were handled, and per window.
    Names of clerks and raters, free text and case numbers never appear."""
    base = Rating.objects.filter(
        Q(centre=centre) | Q(town_centre=centre), created_at__gte=period.start, created_at__lt=period.end
    )
    total = _row_from(base.aggregate(**_aggregates()), None, "合计")
    windows = []
    for r in (
        base.filter(centre=centre, window__isnull=False)
        .values("window_id", "window__number", "window__name")
        .annotate(**_aggregates())
    ):
        values: dict[str, Any] = dict(r)
        row = _row_from(values, r["window_id"], f"{r['window__number']}号窗口（{r['window__name']}）")
        windows.append(row)
    windows.sort(key=lambda r: r.label)
    return {
        "centre": centre,
        "period": period,
        "total": total,
        "windows": windows,
        "level_labels": list(zip(Level.labels, total.level_list, strict=True)),
    }


# --- the rating pad ---------------------------------------------------------------------------------------


@dataclass
class PadState:
    key: str
    clerk: Any | None
    ticket: Any | None
    window_open: bool

    def as_dict(self) -> dict[str, Any]:
        clerk = self.clerk
        return {
            "key": self.key,
            "window_open": self.window_open,
            "clerk": None
            if clerk is None
            else {
                "name": clerk.display_name,
                "staff_no": clerk.staff_no or "",
                "has_photo": bool(clerk.photo),
            },
            "ticket": None if self.ticket is None else {"id": self.ticket.pk, "code": self.ticket.code},
        }


def pad_state(pad: RatingPad, *, now: dt.datetime | None = None) -> PadState:
    """What the pad shows: the clerk at the window now, and the ticket just finished there if it is still
    within the pad's rating time and not rated yet."""
    now = now or timezone.now()
    state = WindowState.objects.select_related("clerk").filter(window_id=pad.window_id).first()
    clerk = state.clerk if state else None
    latest = (
        Ticket.objects.select_related("served_by")
        .filter(
            called_window_id=pad.window_id,
            status__in=(TicketStatus.DONE, TicketStatus.UNSERVED),
            finished_at__isnull=False,
        )
        .order_by("-finished_at", "-id")
        .first()
    )
    ticket = None
    if latest is not None and not latest.ratings.filter(stage="visit").exists():
        minutes = review_settings_in_force(pad.window.centre).pad_minutes
        if ticket_rating_open(latest, now=now, minutes=minutes):
            ticket = latest
            clerk = latest.served_by  # the visitor rates who served them, even if the window changed hands
    is_open = bool(state and state.status != WindowStatus.CLOSED)
    key = f"t{ticket.pk}" if ticket else f"c{clerk.pk if clerk else 0}-{int(is_open)}"
    return PadState(key=key, clerk=clerk, ticket=ticket, window_open=is_open)


def case_for_rating_token(token: str) -> Any:
    """The case a rating link (QR code, SMS) names, or None for a bad or unknown token."""
    case_id = case_id_from_token(token)
    if not case_id:
        return None
    return (
        Case.objects.select_related("handling_centre", "accepted_by", "receiver").filter(pk=case_id).first()
    )


def thing_for_rating_token(token: str) -> Any:
    """The 一件事办件 a rating link names, or None for a bad or unknown token."""
    thing_case_id = thing_id_from_token(token)
    if not thing_case_id:
        return None
    return (
        ThingCase.objects.select_related("handling_centre", "accepted_by", "receiver", "thing")
        .filter(pk=thing_case_id)
        .first()
    )


def pad_windows(centres: list[Any]) -> QuerySet[Any]:
    """The active windows of these centres a rating pad can be paired with, by town code and number."""
    return (
        Window.objects.filter(centre__in=centres, is_active=True)
        .select_related("centre")
        .order_by("centre__division__code", "number")
    )


def work_order_of(rating: Rating) -> WorkOrder | None:
    return WorkOrder.objects.filter(rating=rating).first()


def open_orders_for_board(user: Any, *, limit: int = 50) -> list[WorkOrder]:
    """The 差评 work orders still open that `user` may see, oldest due first (the director's 工单 board)."""
    rows = orders_visible_to(user).filter(status__in=OPEN_ORDER_STATUSES)
    return list(rows.select_related("rating", "centre").order_by("stage_due_at", "created_at", "id")[:limit])
