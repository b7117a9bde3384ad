"""The city view's pages: the dashboard (city → town → centre → window / clerk), the cases behind a
figure, the live stream, the department view (GOV-2). Thin: parse, one access check, one selector."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from govhall.cases.models import CaseStatus
from govhall.cases.selectors import Rows, list_rows
from govhall.core.calendar import month_bounds, previous_month
from govhall.core.errors import NotFound, ServiceError, field_error
from govhall.core.pages import paginate, service_view
from govhall.core.responses import DOCUMENT_TYPES, document_response
from govhall.orgs.models import Centre
from govhall.queueing.streams import event_stream
from govhall.reports import caching, indicators, live, policy, selectors
from govhall.reports import monthly as bulletin
from govhall.reports.exports import dashboard_workbook
from govhall.reports.services import ensure_today, refresh_today


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _period(request: HttpRequest) -> tuple[selectors.Period, str]:
    """The chosen period (today by default) and, for a bad one, its Chinese error (then today)."""
    try:
        return selectors.period_of(request.GET.get("from", ""), request.GET.get("to", "")), ""
    except ServiceError as exc:
        today = timezone.localdate()
        return selectors.Period(today, today), f"{exc.message}已显示今天的数据。"


def _scope(request: HttpRequest) -> tuple[list[int] | None, Centre | None, Centre | None]:
    return policy.scope(
        request.user, town_id=_int(request.GET.get("town")), centre_id=_int(request.GET.get("centre"))
    )


@service_view
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, "reports/dashboard.html")


@service_view
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """The dashboard's table alone: what the page fetches when the event stream reports a change."""
    changed = [c for c in (_int(x) for x in request.GET.getlist("changed")) if c is not None]
    if changed:
        mine = policy.city_centre_ids(request.user)
        refresh_today([c for c in changed if mine is None or c in mine])
    return _dashboard(request, "reports/_table.html")


def _tables(request: HttpRequest) -> SimpleNamespace:
    """The dashboard's scope and period (today brought up to date first); `table()` computes or reads the
    city table of them."""
    policy.require_view_city(request.user)
    period, error = _period(request)
    ids, town, centre = _scope(request)
    if period.date_to == timezone.localdate():
        ensure_today()
    return SimpleNamespace(
        period=period,
        error=error,
        ids=ids,
        town=town,
        centre=centre,
        table=lambda: selectors.city_table(ids, period),
    )


def _dashboard(request: HttpRequest, template: str) -> HttpResponse:
    """The page (or its table): the city and town rows; a town's villages only where the town is unfolded
    (`open`, what the live refresh asks for) or the scope is one town (a director, a drill-down), the rest
    fetched by the fold (`dashboard_town`) — 339 village rows of 19 linked figures were most of the page.

    The rendered table is kept in the cache under the table's own key (scope, period, generations) with the
    towns asked unfolded and the centre shown: it holds nothing per user, and rendering its ~400 linked
    figures was most of a request once the table itself came from the cache."""
    t = _tables(request)
    period, town, centre, error = t.period, t.town, t.centre, t.error
    asked = sorted({i for i in (_int(x) for x in request.GET.getlist("open")) if i is not None})[:20]
    key, seconds = selectors.city_table_key(t.ids, period)
    key += f":html:{centre.pk if centre else '-'}:{','.join(map(str, asked)) if t.ids is None else 'all'}"
    # rendered by us and escaped then; it comes back from the cache as the SafeString it was stored as
    table_html, centre_ids = caching.remember(key, seconds, lambda: _table_part(t, set(asked)))
    if template == "reports/_table.html":
        return HttpResponse(table_html)
    return render(
        request,
        template,
        {
            "period": period,
            "error": error,
            "table_html": table_html,
            "town": town,
            "centre": centre,
            "indicators": indicators.registered(),
            "can_bulletin": policy.can_draft_bulletin(request.user),
            "centre_ids_json": json.dumps(centre_ids),
        },
    )


def _table_part(t: SimpleNamespace, asked: set[int]) -> tuple[str, list[int]]:
    """The rendered table and the ids of the centres under its towns (what the live page listens to)."""
    table, period, centre = t.table(), t.period, t.centre
    if t.ids is None:
        open_towns = {r.centre_id for r in table.children if r.centre_id in asked}
    else:
        open_towns = {r.centre_id for r in table.children}
    detail = selectors.centre_detail(centre, period) if centre else []
    selectors.link_cells(table, _query(period), unfolded=open_towns)
    for row in detail:
        selectors.link_cells(row, _query(period))
    html = render_to_string(
        "reports/_table.html",
        {
            "table": table,
            "detail": detail,
            "indicators": indicators.registered(),
            "case_indicators": selectors.CASE_INDICATORS,
            "base_query": _query(period),
            "open_towns": open_towns,
        },
    )
    return html, [m.centre_id for r in table.children for m in r.children if m.centre_id is not None]


@service_view
def dashboard_town(request: HttpRequest) -> HttpResponse:
    """A town's own centre and villages: the rows the fold fetches (the town asked within the user's
    dashboard, else 404)."""
    policy.require_view_city(request.user)
    if _int(request.GET.get("town")) is None:
        raise NotFound()
    t = _tables(request)
    rows = [m for r in t.table().children for m in r.children]
    for row in rows:
        selectors.link_cells(row, _query(t.period))
    return render(request, "reports/_members.html", {"members": rows, "indicators": indicators.registered()})


def _query(period: selectors.Period) -> str:
    return f"from={period.date_from.isoformat()}&to={period.date_to.isoformat()}"


@service_view
def dashboard_events(request: HttpRequest) -> HttpResponseBase:
    """The live stream: one SSE message per queue, case or rating event in the user's centres."""
    topics = live.topics_for(policy.city_centre_ids(request.user))
    return event_stream(request, topics, initial=lambda: {"ok": True})


@service_view
def figure_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind a case figure (the drill-down's last step), by the figure's own definition."""
    policy.require_view_city(request.user)
    period, error = _period(request)
    ids, town, centre = _scope(request)
    code = request.GET.get("indicator", "")
    ind = indicators.get(code)
    if ind is None or code not in selectors.CASE_INDICATORS:
        raise NotFound()
    window_id, clerk_id = _int(request.GET.get("window")), _int(request.GET.get("clerk"))
    if (window_id or clerk_id) and centre is None:
        raise NotFound()
    qs = selectors.figure_cases(
        indicator=code, period=period, centre_ids=ids, window_id=window_id, clerk_id=clerk_id
    )

    page = paginate(request, Rows(qs))
    return render(
        request,
        "reports/cases.html",
        {
            "indicator": ind,
            "period": period,
            "error": error,
            "town": town,
            "centre": centre,
            "page": page,
            "rows": list_rows(page.object_list),
            "total": page.paginator.count,
        },
    )


DEPARTMENT_PAGE = 20  # cases a page on the department view


@service_view
def department(request: HttpRequest) -> HttpResponse:
    """部门联络员's view (GOV-2): its matters' cases in every town (20 a page), the 10 oldest overdue ones
    with a link to them all, 应进必进 coverage of its matters, its stationed windows. Nothing outside its
    department's matters. The counts, coverage and windows come from the cache for a few seconds."""
    dept_id = policy.require_view_department(request.user)
    status = request.GET.get("status", "")

    if status not in ("open", selectors.OVERDUE) and status not in CaseStatus.values:
        status = ""
    figures = selectors.department_figures(dept_id)
    total = figures.counts.get(status, 0)
    cases = selectors.CountedRows(selectors.department_cases(dept_id, status=status), total)
    page = paginate(request, cases, per_page=DEPARTMENT_PAGE)
    overdue = Rows(selectors.department_overdue(dept_id))[: selectors.OVERDUE_SHOWN]
    return render(
        request,
        "reports/department.html",
        {
            "department": request.user.department,  # type: ignore[union-attr]
            "page": page,
            "rows": list_rows(page.object_list),
            "total": total,
            "overdue": list_rows(overdue),
            "overdue_total": figures.counts.get(selectors.OVERDUE, 0),
            "overdue_status": selectors.OVERDUE,
            "coverage": figures.coverage,
            "windows": figures.windows,
            "status": status,
            "statuses": CaseStatus.choices,
        },
    )


@service_view
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's table as XLSX, its filters (scope and period) in the title row."""

    t = _tables(request)
    period, table, town, centre, ids = t.period, t.table(), t.town, t.centre, t.ids
    detail = selectors.centre_detail(centre, period) if centre else []
    scope = (
        centre.name if centre else (town.division.name if town else ("全市" if ids is None else table.label))
    )
    title = f"启东市镇村政务服务统计 · {scope} · {period.label}"
    name = f"city-{period.date_from.isoformat()}-{period.date_to.isoformat()}.xlsx"
    return document_response(dashboard_workbook(title, table, detail), name)


@service_view
def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly 通报 for the month asked (last month by default), as PDF, DOCX or XLSX."""

    policy.require_draft_bulletin(request.user)
    fmt = request.GET.get("fmt", "pdf")
    if fmt not in DOCUMENT_TYPES:
        raise field_error("fmt", "格式应为 pdf、docx 或 xlsx。")
    default = previous_month(timezone.localdate()).strftime("%Y-%m")
    try:
        month = bulletin.parse_month(request.GET.get("month") or default)
    except ValueError as exc:
        raise field_error("month", str(exc)) from None
    data = bulletin.render(bulletin.build(month))[fmt]
    return document_response(data, f"bulletin-{month:%Y-%m}.{fmt}")


@service_view
def trends(request: HttpRequest) -> HttpResponse:
    """Trends (the month's days, the year's months) and the towns ranked for the month with the change
    since the month before (GOV-1)."""

    ids = policy.city_centre_ids(request.user)
    default = timezone.localdate().strftime("%Y-%m")
    error = ""
    try:
        month = bulletin.parse_month(request.GET.get("month") or default)
    except ValueError as exc:
        month, error = bulletin.parse_month(default), str(exc)
    period = selectors.Period(*month_bounds(month))
    previous = selectors.Period(*month_bounds(previous_month(month)))
    year_from = dt.date(month.year, 1, 1)
    charts = {
        "month": selectors.series(ids, period.date_from, period.date_to),
        "year": selectors.series(ids, year_from, period.date_to, by_month=True),
        "labels": {c: indicators.get(c).label for c in selectors.TREND_CODES},  # type: ignore[union-attr]
    }
    ranking = selectors.town_ranking(
        ids,
        period,
        previous,
        ("cases_received", "cases_finished", "immediate_share", "satisfaction", "standard_score"),
    )
    return render(
        request,
        "reports/trends.html",
        {"month": month, "period": period, "error": error, "charts": charts, "ranking": ranking},
    )
