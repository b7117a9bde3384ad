"""Reading the roll-up for the city view: tables of centres × indicators for a period, combined into
towns and the city by each indicator's rule; and the lists behind the case figures (the drill-down)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from govhall.cases.models import CLOCK_RUNNING, OPEN_STATUSES, Case, CaseStatus
from govhall.cases.selectors import Rows
from govhall.catalog.models import CentreMatter, MatterStatus
from govhall.catalog.selectors import current_versions, expected_matter_ids
from govhall.core import calendar
from govhall.core.errors import field_error
from govhall.orgs.models import Centre, CentreLevel, Window
from govhall.queueing.models import WAITING_STATUSES, Ticket, WindowState, WindowStatus
from govhall.reports import caching, indicators
from govhall.reports.indicators import MAX, MEAN, RATE, SUM, Indicator, percent
from govhall.reports.models import DailyFigure

# Figures whose cases can be listed (the drill-down's last step).
CASE_INDICATORS = (
    "cases_received",
    "cases_accepted",
    "cases_finished",
    "cases_open_green",
    "cases_open_yellow",
    "cases_open_red",
    "cases_open_paused",
    "cases_open_provisional",
)


@dataclass
class Cell:
    """One figure: `value` for counts, scores and minutes; `num`/`den` for a rate (value is the percent)."""

    value: Decimal | None = None
    num: int = 0
    den: int = 0
    parts: dict[str, int] = field(default_factory=dict)  # e.g. paused windows by reason
    href: str = ""  # the list that makes this figure (set by `link_cells`)

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        v = self.value
        return str(int(v)) if v == v.to_integral_value() else f"{v:.2f}".rstrip("0").rstrip(".")


@dataclass
class Row:
    label: str
    cells: dict[str, Cell]
    centre_id: int | None = None  # None for the city row and for window / clerk rows
    level: str = ""  # "city", "town", "village", "centre", "window", "clerk"
    children: list[Row] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # the drill-down's filter for this row


@dataclass
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def is_today(self) -> bool:
        return self.date_from == self.date_to == timezone.localdate()

    @property
    def label(self) -> str:
        if self.date_from == self.date_to:
            return f"{self.date_from:%Y年%m月%d日}"
        return f"{self.date_from:%Y年%m月%d日}至{self.date_to:%Y年%m月%d日}"


MAX_DAYS = 366


def period_of(raw_from: str, raw_to: str) -> Period:
    """The period of the `from`/`to` parameters (either may be left out; both out: today), refused with a
    Chinese field error when it is not a date, runs backwards or is longer than a year."""

    today = timezone.localdate()
    raw_from, raw_to = (raw_from or "").strip(), (raw_to or "").strip()
    if not raw_from and not raw_to:
        return Period(today, today)
    try:
        start = dt.date.fromisoformat(raw_from or raw_to)
        end = dt.date.fromisoformat(raw_to or raw_from)
    except ValueError:
        raise field_error("from", "日期格式应为 年-月-日（如 2026-11-01）。") from None
    if end < start:
        raise field_error("to", "结束日期不能早于开始日期。")
    if (end - start).days >= MAX_DAYS:
        raise field_error("to", "查询期间最长一年。")
    return Period(start, end)


def _combine(ind: Indicator, cells: list[Cell]) -> Cell:
    cells = [c for c in cells if c.value is not None]
    values = [c.value for c in cells if c.value is not None]
    if not cells:
        return _empty(ind)
    if ind.combine == RATE:
        num, den = sum(c.num for c in cells), sum(c.den for c in cells)
        return Cell(percent(num, den), num, den)
    if ind.combine == MAX:
        return Cell(max(values))
    if ind.combine == MEAN:
        return Cell((sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")))
    parts: dict[str, int] = defaultdict(int)
    for c in cells:
        for k, n in c.parts.items():
            parts[k] += n
    return Cell(sum(values, Decimal(0)), parts=dict(parts))


def _figures(qs: QuerySet[DailyFigure], period: Period, group: str) -> dict[Any, dict[str, Cell]]:
    """group key → indicator → Cell, over the period: sums and rates over its days, moment figures and the
    latest score on its last day."""
    out: dict[Any, dict[str, Cell]] = defaultdict(dict)
    by_code = {i.code: i for i in indicators.registered()}
    qs = qs.filter(day__gte=period.date_from, day__lte=period.date_to)
    last_day = [c for c, i in by_code.items() if i.snapshot or i.combine == MEAN]
    span = qs.filter(Q(day=period.date_to) | ~Q(indicator__in=last_day))
    rows = span.values(group, "indicator", "key").annotate(
        v=Sum("value"), n=Sum("numerator"), d=Sum("denominator"), m=Max("value")
    )
    for r in rows:
        ind = by_code.get(r["indicator"])
        if ind is None:
            continue
        cell = out[r[group]].setdefault(ind.code, Cell(Decimal(0)))
        if ind.combine == RATE:
            cell.num += r["n"] or 0
            cell.den += r["d"] or 0
            cell.value = percent(cell.num, cell.den)
        elif ind.combine in (MAX, MEAN):
            cell.value = max(cell.value or Decimal(0), r["m"])
        else:
            cell.value = (cell.value or Decimal(0)) + r["v"]
            if r["key"]:
                cell.parts[r["key"]] = cell.parts.get(r["key"], 0) + int(r["v"])
    return out


def _empty(ind: Indicator) -> Cell:
    """A count with no row is zero; a rate, a maximum or a score with no row has no value (—)."""
    return Cell(Decimal(0)) if ind.combine == SUM else Cell()


def _row(label: str, cells: dict[str, Cell], **kw: Any) -> Row:
    return Row(
        label=label, cells={i.code: cells.get(i.code) or _empty(i) for i in indicators.registered()}, **kw
    )


def city_table(centre_ids: list[int] | None, period: Period) -> Row:
    """The city row (or the director's town) with each town under it and each village under its town, from
    the cache when it holds the table of this scope and period (issue 17).

    The key names the scope (the centre ids asked for, or the city), so one director's table is never
    served to another scope, and the past generation (a rebuild invalidates at once). A period reaching
    today also names the today generation (a live event invalidates at once) and is kept
    `REPORTS_TODAY_CACHE_SECONDS`; a past one `REPORTS_PAST_CACHE_SECONDS`. What is cached is the table's
    plain values (`_pack`), not a page: the links and anything per user are added after."""
    key, seconds = city_table_key(centre_ids, period)
    return _unpack(caching.remember(key, seconds, lambda: _pack(build_city_table(centre_ids, period))))


def city_table_key(centre_ids: list[int] | None, period: Period) -> tuple[str, int]:
    """The cache key of the city table of this scope and period, and how long it is kept: what names the
    table's data, so anything derived from the table alone (its rendered rows) may be kept under it too."""
    live = period.date_to >= timezone.localdate()
    if centre_ids is None:
        scope = "city"
    else:
        scope = hashlib.sha256(",".join(map(str, sorted(set(centre_ids)))).encode()).hexdigest()
    today = caching.today_generation() if live else "-"
    key = (
        f"reports:city:v1:{caching.past_generation()}:{today}:{scope}:"
        f"{period.date_from.isoformat()}:{period.date_to.isoformat()}"
    )
    seconds = settings.REPORTS_TODAY_CACHE_SECONDS if live else settings.REPORTS_PAST_CACHE_SECONDS
    return key, seconds


# A cached table is nested tuples, each row's figures in one order (the registered indicators'): a third
# of the pickled size of the Row and Cell objects, and half the time to read back.
Packed = tuple[Any, ...]


def _pack(table: Row) -> Packed:
    codes = tuple(table.cells)

    def pack(row: Row) -> Packed:
        cells = tuple((c.value, c.num, c.den, c.parts or None) for c in (row.cells[code] for code in codes))
        return (row.label, row.centre_id, row.level, row.params, cells, tuple(pack(k) for k in row.children))

    return (codes, pack(table))


class _CachedRow(Row):
    """A row read back from the cache, its figures made into Cells on first use. The bureau's page shows the
    city and the twelve towns; making the 7,000 Cells of every village row (and the garbage collections
    that many new objects set off) cost more than the rest of the page (profile of 2026-12-07)."""

    def __init__(
        self, codes: tuple[str, ...], label: str, centre_id: int | None, level: str, params: Any, packed: Any
    ) -> None:
        self.label, self.centre_id, self.level, self.params = label, centre_id, level, dict(params)
        self.children = []
        self._codes, self._packed = codes, packed

    def __getattr__(self, name: str) -> Any:
        if name != "cells":
            raise AttributeError(name)
        self.cells = {
            code: Cell(value, num, den, dict(parts) if parts else {})
            for code, (value, num, den, parts) in zip(self._codes, self._packed, strict=True)
        }
        return self.cells


def _unpack(packed: Packed) -> Row:
    codes, tree = packed

    def unpack(node: Packed) -> Row:
        label, centre_id, level, params, cells, children = node
        row = _CachedRow(codes, label, centre_id, level, params, cells)
        row.children = [unpack(k) for k in children]
        return row

    return unpack(tree)


def build_city_table(centre_ids: list[int] | None, period: Period) -> Row:
    """`city_table` computed from the roll-up (not cached)."""
    # Plain values, not Centre objects: the table needs five fields of 351 centres (objects were a third of
    # the page's time).
    centres = Centre.objects.filter(is_active=True)
    if centre_ids is not None:
        centres = centres.filter(pk__in=centre_ids)
    listed = [
        SimpleNamespace(pk=pk, level=level, name=name, parent_id=parent_id, division_name=division_name)
        for pk, level, name, parent_id, division_name in centres.order_by("division__code").values_list(
            "pk", "level", "name", "parent_id", "division__name"
        )
    ]
    ids = [c.pk for c in listed]
    qs = DailyFigure.objects.filter(centre_id__in=ids, window__isnull=True, clerk__isnull=True)
    per_centre = _figures(qs, period, "centre_id")
    towns: dict[int, Row] = {}
    villages: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for c in listed:
        if c.level == CentreLevel.VILLAGE and c.parent_id:
            villages[c.parent_id].append(c)
    listed_ids = set(ids)
    for c in listed:
        if c.level == CentreLevel.TOWN or c.parent_id not in listed_ids:
            own = _row(
                c.name, per_centre.get(c.pk, {}), centre_id=c.pk, level="centre", params={"centre": c.pk}
            )
            kids = [
                _row(
                    v.name, per_centre.get(v.pk, {}), centre_id=v.pk, level="village", params={"centre": v.pk}
                )
                for v in villages.get(c.pk, [])
            ]
            members = [own, *kids]
            towns[c.pk] = Row(
                label=c.division_name if c.level == CentreLevel.TOWN else c.name,
                cells={
                    i.code: _combine(i, [m.cells[i.code] for m in members]) for i in indicators.registered()
                },
                centre_id=c.pk,
                level="town",
                children=members,
                params={"town": c.pk},
            )
    town_rows = list(towns.values())
    city = Row(
        label="全市合计" if centre_ids is None else "合计",
        cells={
            i.code: _combine(i, [m.cells[i.code] for t in town_rows for m in t.children])
            for i in indicators.registered()
        },
        level="city",
        children=town_rows,
        params={},
    )
    # The city's score is the mean over centres with a score; its rates are over all centres' parts.
    return city


def centre_detail(centre: Centre, period: Period) -> list[Row]:
    """A centre's windows and clerks (the figures kept per window / per clerk)."""
    from django.contrib.auth import get_user_model

    qs = DailyFigure.objects.filter(centre=centre)
    per_window = _figures(qs.filter(window__isnull=False), period, "window_id")
    per_clerk = _figures(qs.filter(clerk__isnull=False), period, "clerk_id")
    windows = Window.objects.filter(pk__in=per_window.keys()) | Window.objects.filter(
        centre=centre, is_active=True
    )
    rows = [
        _row(
            f"{w.number}号窗口 {w.name}",
            per_window.get(w.pk, {}),
            level="window",
            params={"centre": centre.pk, "window": w.pk},
        )
        for w in windows.distinct().order_by("number")
    ]
    users = get_user_model().objects.filter(pk__in=per_clerk.keys()).order_by("staff_no")
    rows += [
        _row(
            u.display_name + (f"（{u.staff_no}）" if u.staff_no else ""),
            per_clerk.get(u.pk, {}),
            level="clerk",
            params={"centre": centre.pk, "clerk": u.pk},
        )
        for u in users
    ]
    return rows


# --- the cases behind a figure ----------------------------------------------------------------------------


def figure_cases(
    *,
    indicator: str,
    period: Period,
    centre_ids: list[int] | None,
    window_id: int | None = None,
    clerk_id: int | None = None,
    department_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Any]:
    """The cases a case figure counts, by the same definition as its builder (`reports.builders`)."""

    now = now or timezone.now()
    first = indicators.Day.of(period.date_from, now)
    last = indicators.Day.of(period.date_to, now)
    qs = Case.objects.all()
    if department_id is not None:
        qs = qs.filter(department_id=department_id)

    def span(field_name: str) -> dict[str, dt.datetime]:
        return {
            f"{field_name}__gte": first.start,
            f"{field_name}__lt": last.end,
            f"{field_name}__lte": last.as_of,
        }

    if indicator == "cases_received":
        qs = qs.filter(**span("received_at"))
        centre_field, clerk_field = "centre_id", "receiver_id"
        if window_id:
            qs = qs.filter(window_id=window_id)
    elif indicator == "cases_accepted":
        qs = qs.filter(**span("accepted_at"))
        centre_field, clerk_field = "handling_centre_id", "accepted_by_id"
    elif indicator == "cases_finished":
        qs = qs.filter(accepted_at__isnull=False, **span("finished_at"))
        centre_field, clerk_field = "handling_centre_id", "finished_by_id"
    elif indicator.startswith("cases_open_"):
        light = indicator.removeprefix("cases_open_")
        centre_field, clerk_field = "handling_centre_id", "current_assignee_id"
        qs = qs.filter(status__in=OPEN_STATUSES)
        moment = last.as_of
        running = qs.filter(due_waits_for__isnull=True).exclude(status=CaseStatus.SUSPENDED)
        if light == "provisional":
            qs = qs.filter(due_waits_for__isnull=False)
        elif light == "paused":
            qs = qs.filter(due_waits_for__isnull=True, status=CaseStatus.SUSPENDED)
        elif light == "red":
            qs = running.filter(due_at__lt=moment)
        elif light == "yellow":
            qs = running.filter(warn_at__lt=moment).exclude(due_at__lt=moment)
        else:
            qs = running.exclude(due_at__lt=moment).exclude(warn_at__lt=moment)
    else:
        return Case.objects.none()
    if centre_ids is not None:
        qs = qs.filter(**{f"{centre_field}__in": centre_ids})
    if clerk_id:
        qs = qs.filter(**{clerk_field: clerk_id})
    return qs.order_by("-received_at", "-id")


def link_cells(row: Row, base: str, *, unfolded: set[int | None] | None = None) -> None:
    """Give every figure the link to the list that makes it: a case figure its cases; any other figure the
    next level down (city → town → centre). `unfolded`: link a town's members only for these towns (the
    others are not shown)."""
    from urllib.parse import urlencode

    own = urlencode(row.params)
    down = "?" + (urlencode({"centre": row.params["centre"]}) if row.level in ("window", "clerk") else own)
    down += ("&" if down != "?" else "") + base
    for code, cell in row.cells.items():
        if code in CASE_INDICATORS:
            cell.href = f"cases/?indicator={code}" + (f"&{own}" if own else "") + "&" + base
        else:
            cell.href = down
    if unfolded is not None and row.level == "town" and row.centre_id not in unfolded:
        return
    for child in row.children:
        link_cells(child, base, unfolded=unfolded)


# --- the department view (GOV-2) --------------------------------------------------------------------------

OVERDUE = "overdue"  # the department list's filter for its overdue cases (the overdue card's 「全部 N 件」)
OVERDUE_SHOWN = 10  # the overdue card lists this many, oldest deadline first


def department_cases(
    department_id: int, *, status: str = "", now: dt.datetime | None = None
) -> QuerySet[Any]:
    """Every case of the department's matters, in every town and village (GOV-2); `status` a case status,
    "open" (every unfinished one) or "overdue" (`department_overdue`)."""

    if status == OVERDUE:
        return department_overdue(department_id, now)
    qs = Case.objects.filter(department_id=department_id)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def department_overdue(department_id: int, now: dt.datetime | None = None) -> QuerySet[Any]:
    """The department's open cases past their promised time (红牌), oldest deadline first."""

    return Case.objects.filter(
        department_id=department_id, status__in=CLOCK_RUNNING, due_at__lt=now or timezone.now()
    ).order_by("due_at", "id")


class CountedRows(Rows):
    """`Rows` whose count is already known (the department's cached counts), for the Paginator."""

    def __init__(self, qs: QuerySet[Case], count: int) -> None:
        super().__init__(qs)
        self.known = count

    def count(self) -> int:
        return self.known


@dataclass
class DeptCoverage:
    centre_id: int
    centre_name: str
    expected: int
    present: int
    missing: list[str]


def department_coverage(department_id: int) -> list[DeptCoverage]:
    """应进必进 (SCOPE-3) for the department's matters in each town hall: the matters that should be there
    (by level and town class) and the ones that are."""

    versions = {
        v.matter_id: v
        for v in current_versions().filter(department_id=department_id, matter__status=MatterStatus.ACTIVE)
    }
    towns = list(Centre.objects.filter(level=CentreLevel.TOWN, is_active=True).select_related("division"))
    present: dict[int, set[int]] = defaultdict(set)
    for centre_id, matter_id in CentreMatter.objects.filter(
        centre__in=towns, matter_id__in=versions, is_active=True
    ).values_list("centre_id", "matter_id"):
        present[centre_id].add(matter_id)
    out = []
    by_class: dict[int, set[int]] = {}  # a town's expected matters depend on its class only
    for town in towns:
        key = town.division.town_class or 3
        if key not in by_class:
            by_class[key] = set(expected_matter_ids(town)) & set(versions)
        expected = by_class[key]
        missing = sorted(versions[m].name for m in expected - present[town.pk])
        out.append(DeptCoverage(town.pk, town.name, len(expected), len(expected & present[town.pk]), missing))
    return out


@dataclass
class DeptWindow:
    centre_name: str
    window: str
    status: str
    waiting: int
    received_today: int


def department_windows(department_id: int) -> list[DeptWindow]:
    """The department's stationed windows (专业窗口) with their state, waiting tickets and today's cases."""

    windows = list(
        Window.objects.filter(department_id=department_id, is_active=True).select_related("centre")
    )
    states = dict(WindowState.objects.filter(window__in=windows).values_list("window_id", "status"))
    labels = dict(WindowStatus.choices)
    today = timezone.localdate()
    waiting = dict(
        Ticket.objects.filter(department_id=department_id, date=today, status__in=WAITING_STATUSES)
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    received = dict(
        DailyFigure.objects.filter(window__in=windows, day=today, indicator="cases_received")
        .values("window_id")
        .annotate(n=Sum("value"))
        .values_list("window_id", "n")
    )
    return [
        DeptWindow(
            w.centre.name,
            str(w),
            labels.get(states.get(w.pk, "closed"), "未开放"),
            waiting.get(w.centre_id, 0),
            int(received.get(w.pk) or 0),
        )
        for w in windows
    ]


@dataclass
class DeptFigures:
    """The department view's figures, cached together for a few seconds (issue 17)."""

    counts: dict[str, int]  # the department's cases by status, plus "" (all), "open" and "overdue"
    coverage: list[DeptCoverage]
    windows: list[DeptWindow]


def department_figures(department_id: int, *, now: dt.datetime | None = None) -> DeptFigures:
    """The department's case counts (all, by status, open, overdue), 应进必进 coverage and stationed windows,
    from the cache for `REPORTS_TODAY_CACHE_SECONDS` (a department's key holds its own figures only)."""

    def compute() -> DeptFigures:
        by_status = dict(
            Case.objects.filter(department_id=department_id)
            .order_by()
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        counts = {str(k): int(n) for k, n in by_status.items()}
        counts[""] = sum(by_status.values())
        counts["open"] = sum(by_status.get(s, 0) for s in OPEN_STATUSES)
        counts[OVERDUE] = department_overdue(department_id, now).count()
        return DeptFigures(counts, department_coverage(department_id), department_windows(department_id))

    key = f"reports:department:v1:{department_id}:{timezone.localdate().isoformat()}"
    return caching.remember(key, settings.REPORTS_TODAY_CACHE_SECONDS, compute)


# --- trends (GOV-1) ----------------------------------------------------------------------------------------

TREND_CODES = ("tickets_issued", "cases_received", "cases_finished", "satisfaction", "immediate_share")


def series(
    centre_ids: list[int] | None, date_from: dt.date, date_to: dt.date, *, by_month: bool = False
) -> dict[str, Any]:
    """Per day (or per month) city-wide figures for the trend charts: counts summed, rates over their
    parts. {"labels": [...], "<code>": [...]}."""
    from django.db.models.functions import TruncMonth

    qs = DailyFigure.objects.filter(
        day__gte=date_from,
        day__lte=date_to,
        indicator__in=TREND_CODES,
        window__isnull=True,
        clerk__isnull=True,
    )
    if centre_ids is not None:
        qs = qs.filter(centre_id__in=centre_ids)
    bucket = TruncMonth("day") if by_month else None
    rows = (
        (qs.annotate(b=bucket) if bucket else qs.annotate(b=F("day")))
        .values("b", "indicator")
        .annotate(v=Sum("value"), n=Sum("numerator"), d=Sum("denominator"))
    )
    labels: list[str] = []
    if by_month:
        labels = [f"{m:%Y-%m}" for m in calendar.months(date_from, date_to)]
    else:
        labels = [f"{date_from + dt.timedelta(days=i):%m-%d}" for i in range((date_to - date_from).days + 1)]
    out: dict[str, Any] = {
        "labels": labels,
        **{c: [None if _combine_of(c) == RATE else 0 for _ in labels] for c in TREND_CODES},
    }
    index = {label: i for i, label in enumerate(labels)}
    for r in rows:
        b = r["b"]
        label = f"{b:%Y-%m}" if by_month else f"{b:%m-%d}"
        if label not in index:
            continue
        ind = indicators.get(r["indicator"])
        if ind is None:
            continue
        value = percent(r["n"] or 0, r["d"] or 0) if ind.combine == RATE else r["v"]
        out[ind.code][index[label]] = None if value is None else float(value)
    return out


def _combine_of(code: str) -> str:
    ind = indicators.get(code)
    return ind.combine if ind is not None else ""


def town_ranking(
    centre_ids: list[int] | None, period: Period, previous: Period, codes: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Towns ranked by each indicator for the period, with the change since the previous period."""
    now, before = city_table(centre_ids, period), city_table(centre_ids, previous)
    prev = {t.centre_id: t for t in before.children}
    out = []
    for code in codes:
        ind = indicators.get(code)
        valued = sorted(
            (t for t in now.children if t.cells[code].value is not None),
            key=lambda t: -t.cells[code].value,  # type: ignore[operator]
        )
        rows: list[dict[str, Any]] = []
        for i, t in enumerate(valued):
            p = prev.get(t.centre_id)
            change = None
            if p is not None and p.cells[code].value is not None:
                change = float(t.cells[code].value - p.cells[code].value)  # type: ignore[operator]
            place = (
                rows[-1]["place"] if i and valued[i - 1].cells[code].value == t.cells[code].value else i + 1
            )
            rows.append({"place": place, "town": t.label, "value": t.cells[code].text, "change": change})
        out.append({"indicator": ind, "rows": rows})
    return out
