"""The city view's API at /api/v1/reports/ (for the provincial platform's 电子监察 and the screens in the
bureau's office): the indicators and their definitions, the city table, the department's cases. Lists
answer {count, items}; errors {code, message, fields}."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from govhall.cases.models import CaseStatus
from govhall.cases.selectors import CaseRow, waits_for
from govhall.core.api_params import Id, Mapped, paged
from govhall.core.errors import field_error
from govhall.reports import indicators, policy, selectors
from govhall.reports.services import ensure_today

router = Router(tags=["统计报表"])


class ReportIndicatorOut(Schema):
    code: str
    label: str
    requirement: str
    definition: str
    unit: str
    combine: str
    snapshot: bool


class ReportFigureOut(Schema):
    value: float | None
    numerator: int | None = None
    denominator: int | None = None


class ReportRowOut(Schema):
    level: str
    label: str
    centre_id: int | None
    town_id: int | None
    figures: dict[str, ReportFigureOut]


class ReportCaseOut(Schema):
    number: str
    matter_name: str
    status: str
    status_label: str
    centre: str
    due_at: dt.datetime | None
    provisional: bool
    waits_for: str
    holder: str


def _indicator_out(i: indicators.Indicator) -> ReportIndicatorOut:
    return ReportIndicatorOut(
        code=i.code, label=i.label, requirement=i.requirement, definition=i.definition, unit=i.unit,
        combine=i.combine, snapshot=i.snapshot,
    )  # fmt: skip


def _figures(row: selectors.Row) -> dict[str, ReportFigureOut]:
    out = {}
    for i in indicators.registered():
        c = row.cells[i.code]
        rate = i.combine == indicators.RATE
        out[i.code] = ReportFigureOut(
            value=None if c.value is None else float(c.value),
            numerator=c.num if rate else None,
            denominator=c.den if rate else None,
        )
    return out


@router.get("/indicators", response=list[ReportIndicatorOut], summary="统计指标及口径")
@paged
def list_indicators(request: HttpRequest) -> Any:
    policy.require_view_city(request.user)
    return Mapped(indicators.registered(), _indicator_out)


@router.get("/city", response=list[ReportRowOut], summary="全市（或本镇）统计：合计、各镇、各中心")
@paged
def city(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    town_id: Id | None = None,
    centre_id: Id | None = None,
) -> Any:
    period = selectors.period_of(
        date_from.isoformat() if date_from else "", date_to.isoformat() if date_to else ""
    )
    ids, _, centre = policy.scope(request.user, town_id=town_id, centre_id=centre_id)
    if period.date_to >= timezone.localdate():
        ensure_today()
    table = selectors.city_table(ids, period)
    rows: list[ReportRowOut] = [
        ReportRowOut(level="city", label=table.label, centre_id=None, town_id=None, figures=_figures(table))
    ]
    for town in table.children:
        rows.append(
            ReportRowOut(
                level="town", label=town.label, centre_id=None, town_id=town.centre_id, figures=_figures(town)
            )
        )
        rows += [
            ReportRowOut(
                level=m.level,
                label=m.label,
                centre_id=m.centre_id,
                town_id=town.centre_id,
                figures=_figures(m),
            )
            for m in town.children
        ]
    if centre is not None:
        rows += [
            ReportRowOut(level=d.level, label=d.label, centre_id=centre.pk, town_id=None, figures=_figures(d))
            for d in selectors.centre_detail(centre, period)
        ]
    return Mapped(rows, lambda r: r)


@router.get("/department/cases", response=list[ReportCaseOut], summary="本部门事项的办件（部门联络员）")
@paged
def department_cases(request: HttpRequest, status: str = "") -> Any:

    dept_id = policy.require_view_department(request.user)
    if status and status != "open" and status not in CaseStatus.values:
        raise field_error("status", "状态无效。")
    qs = selectors.department_cases(dept_id, status=status)
    qs = qs.select_related("handling_centre", "current_assignee", "current_step")

    def out(case: Any) -> ReportCaseOut:
        row = CaseRow.from_case(case)
        return ReportCaseOut(
            number=case.number,
            matter_name=case.matter_name,
            status=case.status,
            status_label=case.get_status_display(),
            centre=case.handling_centre.name,
            due_at=case.due_at,
            provisional=case.due_waits_for is not None,
            waits_for=waits_for(row),
            holder=case.current_assignee.display_name if case.current_assignee else "",
        )

    return Mapped(qs, out)
