"""xlsx export of assessment rankings (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from govhall.staffing.models import AssessmentScheme
from govhall.staffing.selectors import centre_ranking, monthly_ranking, staff_ranking


def ranking_workbook(user: Any, *, scheme: AssessmentScheme, year: int, month: int | None) -> bytes:
    """Sheets: staff ranking (with every indicator for a month), centre ranking."""
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    period = f"{year}年{month}月" if month else f"{year}年度"
    ws.title = "人员排名"
    indicators = list(scheme.indicators.all())
    if month:
        header = [
            "名次",
            "工号",
            "姓名",
            "服务中心",
            *[f"{i.label}（权重{i.weight}）" for i in indicators],
            "指标得分",
            "手工加减分",
            "总分",
        ]
        ws.append([f"{scheme.name} · {period} · 人员月度考核排名"])
        ws.append(header)
        results = list(monthly_ranking(user, scheme=scheme, month=dt.date(year, month, 1)))
        place = 0
        for i, r in enumerate(results):
            place = place if i and results[i - 1].total == r.total else i + 1
            scores = {line["code"]: line["score"] for line in r.breakdown.get("indicators", [])}
            ws.append(
                [
                    place,
                    r.staff.staff_no or "",
                    r.staff.display_name,
                    r.centre.name,
                    *[
                        float(scores[i.code]) if scores.get(i.code) is not None else "不适用"
                        for i in indicators
                    ],
                    float(r.indicator_score),
                    float(r.manual_points),
                    float(r.total),
                ]
            )
    else:
        ws.append([f"{scheme.name} · {period} · 人员年度考核排名（各月总分平均）"])
        ws.append(["名次", "工号", "姓名", "服务中心", "计入月数", "平均总分"])
        for row in staff_ranking(user, scheme=scheme, year=year):
            ws.append([row.rank, row.staff_no, row.label, row.centre, row.count, float(row.score)])
    ws["A1"].font = Font(bold=True)
    cs = wb.create_sheet("中心排名")
    cs.append([f"{scheme.name} · {period} · 服务中心排名（本中心人员总分平均）"])
    cs.append(["名次", "服务中心", "计入人数" if month else "计入月数", "平均总分"])
    for row in centre_ranking(user, scheme=scheme, year=year, month=month):
        cs.append([row.rank, row.label, row.count, float(row.score)])
    cs["A1"].font = Font(bold=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
