"""The monthly 通报 (GOV-1): 「启东市镇村政务服务工作月度通报」 as DOCX and PDF (core.documents, the one
renderer) and one XLSX workbook (a sheet per table). Every number comes from the daily roll-up through
the dashboard's own selector (`selectors.city_table`), so the 通报 and the dashboard cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from govhall.cases.models import Case
from govhall.core import documents as doc
from govhall.core.calendar import month_bounds, previous_month
from govhall.reports import charts, exports, indicators
from govhall.reports.selectors import Cell, Period, Row, city_table
from govhall.reviews.models import OPEN_ORDER_STATUSES, WorkOrder
from govhall.standards.models import Assessment, AssessmentResult

TITLE = "启东市镇村政务服务工作月度通报"
# The figures of the summary and the town rankings, in the order they are printed.
SUMMARY = [
    "tickets_issued",
    "cases_received",
    "cases_accepted",
    "cases_finished",
    "on_time_rate",
    "immediate_share",
    "satisfaction",
]
RANKED = [
    "cases_received",
    "cases_finished",
    "on_time_rate",
    "immediate_share",
    "satisfaction",
    "standard_score",
]


def parse_month(text: str) -> dt.date:
    """'2026-11' → 2026-11-01; ValueError with a Chinese message otherwise."""
    try:
        year, month = (int(x) for x in text.strip().split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"月份格式应为 YYYY-MM（如 2026-11）：{text}") from None


@dataclass
class Sheet:
    name: str
    heading: str
    header: list[str]
    rows: list[list[Any]]
    highlight: list[int] = field(default_factory=list)


@dataclass
class Bulletin:
    month: dt.date
    period: Period
    city: Row
    previous: Row
    summary: str
    sheets: list[Sheet]
    charts: list[charts.Chart] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def _text(cell: Cell, unit: str = "") -> str:
    return "—" if cell.value is None else f"{cell.text}{unit}"


def _change(now: Cell, before: Cell, ind: indicators.Indicator) -> str:
    if now.value is None or before.value is None:
        return "—"
    diff: Decimal = now.value - before.value
    unit = "个百分点" if ind.combine == indicators.RATE else ind.unit
    if diff == 0:
        return "持平"
    text = Cell(abs(diff)).text
    return f"{'增加' if diff > 0 else '减少'}{text}{unit}"


def _rank(rows: list[Row], code: str) -> list[tuple[int, Row]]:
    """Highest first; ties share a place; rows without a value last."""
    valued = sorted((r for r in rows if r.cells[code].value is not None), key=lambda r: -r.cells[code].value)  # type: ignore[operator]
    out: list[tuple[int, Row]] = []
    for i, r in enumerate(valued):
        place = out[-1][0] if i and valued[i - 1].cells[code].value == r.cells[code].value else i + 1
        out.append((place, r))
    return out + [(0, r) for r in rows if r.cells[code].value is None]


def build(month: dt.date) -> Bulletin:
    period = Period(*month_bounds(month))
    before = Period(*month_bounds(previous_month(month)))
    city = city_table(None, period)
    previous = city_table(None, before)
    by_code = {i.code: i for i in indicators.registered()}
    prev_towns = {t.centre_id: t for t in previous.children}

    parts = []
    for code in SUMMARY:
        ind = by_code[code]
        unit = "%" if ind.combine == indicators.RATE else ind.unit
        parts.append(
            f"{ind.label}{_text(city.cells[code], unit)}（较上月{_change(city.cells[code], previous.cells[code], ind)}）"
        )
    red, bad = _red_cases(period), _bad_reviews(period)
    summary = (
        f"{period.date_from.year}年{period.date_from.month}月，全市{len(city.children)}个镇（区）为民服务中心及"
        f"{sum(len(t.children) - 1 for t in city.children)}个村（社区）便民服务中心："
        + "；".join(parts)
        + "。"
        f"截至月末超过承诺办结时间仍未办结的办件（红牌）{len(red.rows)}件，未办结的差评工单{len(bad.rows)}件"
        "（均见下文清单）。"
    )

    sheets: list[Sheet] = []
    header = ["单位", *[f"{i.label}（{i.unit}）" if i.unit else i.label for i in indicators.registered()]]
    sheets.append(Sheet("全市汇总", f"{TITLE}（{period.label}）· 汇总", header, exports.table_rows(city)))
    for code in RANKED:
        ind = by_code[code]
        rows = []
        for place, town in _rank(city.children, code):
            prev = prev_towns.get(town.centre_id)
            change = _change(town.cells[code], prev.cells[code], ind) if prev else "—"
            rows.append([place or "—", town.label, _text(town.cells[code]), change])
        sheets.append(
            Sheet(
                f"各镇·{ind.label}",
                f"各镇{ind.label}排名（{ind.unit or ''}）",
                ["名次", "镇（区）", ind.label, "较上月"],
                rows,
            )
        )
    village_rows = []
    for town in city.children:
        villages = [m for m in town.children if m.level == "village"]
        for place, v in _rank(villages, "cases_received"):
            village_rows.append(
                [
                    town.label,
                    place or "—",
                    v.label,
                    _text(v.cells["cases_received"]),
                    _text(v.cells["satisfaction"], "%"),
                ]
            )
    sheets.append(
        Sheet(
            "村级排名",
            "各镇内村（社区）便民服务中心收件排名",
            ["镇（区）", "名次", "村（社区）", "收件", "满意率"],
            village_rows,
        )
    )
    sheets.append(red)
    sheets.append(bad)
    sheets.append(_rectification(period))
    label = f"{period.date_from.year}年{period.date_from.month}月"
    return Bulletin(
        month=period.date_from,
        period=period,
        city=city,
        previous=previous,
        summary=summary,
        sheets=sheets,
        charts=charts.bulletin_charts(period.date_from, city, label),
    )


def _end(period: Period) -> dt.datetime:
    return min(indicators.Day.of(period.date_to).end, timezone.now())


def _red_cases(period: Period) -> Sheet:
    """红牌: cases whose promised time had passed by the month's end and were not finished then."""
    from django.db.models import Q

    end = _end(period)
    qs = (
        Case.objects.filter(accepted_at__lt=end, due_at__lt=end, due_waits_for__isnull=True)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gt=end))
        .exclude(status__in=("revoked", "not_accepted"))
        .select_related("handling_centre", "current_assignee")
        .order_by("due_at")[:200]
    )
    rows = [
        [
            c.number,
            c.matter_name,
            c.handling_centre.name,
            timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M"),
            c.get_status_display(),
            c.current_assignee.display_name if c.current_assignee else "",
        ]
        for c in qs
    ]
    return Sheet(
        "红牌办件",
        f"红牌办件（截至{period.date_to:%m月%d日}超过承诺办结时间未办结）",
        ["办件编号", "事项", "办理中心", "承诺办结时间", "状态", "承办人"],
        rows,
    )


def _bad_reviews(period: Period) -> Sheet:
    """未办结的差评: work orders still open at the time of drafting, opened up to the month's end."""

    qs = (
        WorkOrder.objects.filter(status__in=OPEN_ORDER_STATUSES, created_at__lt=_end(period))
        .select_related("centre")
        .order_by("stage_due_at")[:200]
    )
    now = timezone.now()
    rows = [
        [
            o.centre.name,
            timezone.localtime(o.created_at).strftime("%Y-%m-%d"),
            o.get_status_display(),
            timezone.localtime(o.stage_due_at).strftime("%Y-%m-%d %H:%M") if o.stage_due_at else "",
            "已超期" if o.stage_due_at and o.stage_due_at < now else "",
        ]
        for o in qs
    ]
    return Sheet(
        "未办结差评", "未办结的差评工单", ["服务中心", "差评时间", "环节", "本环节期限", "提示"], rows
    )


def _rectification(period: Period) -> Sheet:
    """The items failed in each centre's latest standard-hall assessment up to the month's end."""
    from django.db.models import Max

    latest = (
        Assessment.objects.filter(assessed_at__lt=_end(period))
        .values("centre_id")
        .annotate(at=Max("assessed_at"))
    )
    keys = {(r["centre_id"], r["at"]) for r in latest}
    results = (
        AssessmentResult.objects.filter(assessment__centre_id__in={c for c, _ in keys}, passed=False)
        .select_related("assessment__centre")
        .order_by("assessment__centre__division__code", "-is_safety", "order")
    )
    rows = [
        [
            r.assessment.centre.name,
            r.code,
            r.title,
            r.measured_text,
            r.threshold_text,
            "安全项" if r.is_safety else "",
        ]
        for r in results
        if (r.assessment.centre_id, r.assessment.assessed_at) in keys
    ]
    return Sheet(
        "整改事项",
        "标准化大厅考核整改事项（各中心最近一次考核未达标项）",
        ["服务中心", "规则编号", "考核内容", "实测", "标准", "备注"],
        rows,
    )


def blocks(b: Bulletin) -> list[doc.Block]:
    out: list[doc.Block] = [
        doc.Title(TITLE, subtitle=f"{b.label} · 启东市行政审批局"),
        doc.Heading("一、总体情况"),
        doc.Paragraph(b.summary),
        *(charts.picture(chart) for chart in b.charts),
    ]
    numbered = ["二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    for i, sheet in enumerate(b.sheets[1:]):
        out.append(doc.Heading(f"{numbered[i]}、{sheet.heading}"))
        if sheet.rows:
            out.append(doc.Table([str(h) for h in sheet.header], [[str(c) for c in r] for r in sheet.rows]))
        else:
            out.append(doc.Paragraph("无。"))
    out.append(doc.Signature(["启东市行政审批局", f"{timezone.localdate():%Y年%m月%d日}"]))
    return out


def render(b: Bulletin) -> dict[str, bytes]:
    """{"pdf": …, "docx": …, "xlsx": …}"""
    title = f"{TITLE}（{b.label}）"
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in b.sheets:
        exports.add_sheet(wb, sheet.name, sheet.heading, sheet.header, sheet.rows)
    parts = blocks(b)  # once: the charts are drawn once for both documents
    return {
        "pdf": doc.render_pdf(parts, title=title, footer=title),
        "docx": doc.render_docx(parts, title=title, footer=title),
        "xlsx": exports.save(wb),
    }


def write(month: dt.date, directory: Path | None = None) -> list[Path]:
    """Draft the month's 通报 files into `directory` (default: media/reports/monthly/)."""
    directory = directory or Path(settings.MEDIA_ROOT) / "reports" / "monthly"
    directory.mkdir(parents=True, exist_ok=True)
    files = render(build(month))
    paths = []
    for ext, data in files.items():
        path = directory / f"bulletin-{month:%Y-%m}.{ext}"
        path.write_bytes(data)
        paths.append(path)
    return paths
