"""XLSX downloads of the city view's tables (openpyxl): the title row carries the filters (scope, period),
so a sheet printed or forwarded still says what it counts. The monthly 通报's workbook is built here too."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from govhall.reports import indicators
from govhall.reports.selectors import Row


def _number(cell: Any) -> Any:
    if cell.value is None:
        return "—"
    v: Decimal = cell.value
    return int(v) if v == v.to_integral_value() else float(v)


def add_sheet(
    wb: Workbook, title: str, heading: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(header))
    for c in ws[2]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, horizontal="center")
    for r in rows:
        ws.append(list(r))
    for i, _ in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 34 if i == 1 else 12
    ws.freeze_panes = "B3"


def table_rows(table: Row, detail: Sequence[Row] = ()) -> list[list[Any]]:
    """The dashboard table as sheet rows: the total, each town, its centres indented, then windows/clerks."""
    inds = indicators.registered()
    out: list[list[Any]] = []

    def line(row: Row, indent: int) -> None:
        out.append(["　" * indent + row.label, *[_number(row.cells[i.code]) for i in inds]])

    line(table, 0)
    for town in table.children:
        line(town, 0)
        for member in town.children:
            line(member, 1)
    for d in detail:
        line(d, 1)
    return out


def dashboard_workbook(title: str, table: Row, detail: Sequence[Row] = ()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    header = ["单位", *[f"{i.label}（{i.unit}）" if i.unit else i.label for i in indicators.registered()]]
    add_sheet(wb, "统计", title, header, table_rows(table, detail))
    return save(wb)


def save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
