"""The 通报's long tables (GOV-1) as core.documents draws them: every cell's text in the .docx and the PDF,
the highlighted rows shaded, and each .docx cell in the document's font and size."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

from govhall.core.documents import HIGHLIGHT, Heading, Table, docx_text, pdf_text, render_docx, render_pdf

ROWS = [
    ["1", "启东市基准0镇为民服务中心", "个体工商户设立登记（含名称自主申报、经营范围规范表述）"],
    ["2", "吕四港镇", "第一行\n第二行"],
    ["3", "", " 前后有空格 "],
] + [[str(i), f"村{i}", "办理中"] for i in range(4, 200)]


def blocks() -> list:
    return [Heading("红牌办件"), Table(["序号", "单位", "事项"], ROWS, highlight=[1, 150])]


def test_docx_table_holds_every_cell_shaded_where_asked_in_the_documents_font() -> None:
    """GOV-1: each row of a long table is in the .docx with its own texts; only the highlighted rows are
    shaded; a line break in a cell stays a line break."""
    data = render_docx(blocks(), title="通报")
    table = Document(io.BytesIO(data)).tables[0]
    assert len(table.rows) == 1 + len(ROWS)
    texts = [[c.text for c in row.cells] for row in table.rows]
    assert texts[0] == ["序号", "单位", "事项"]
    assert texts[1:] == ROWS
    shaded = [
        i
        for i, row in enumerate(table.rows[1:])
        if all(
            (shd := c._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")) is not None
            and shd.get(qn("w:fill")) == HIGHLIGHT.lstrip("#").upper()
            for c in row.cells
        )
    ]
    assert shaded == [1, 150]
    for row in (table.rows[1], table.rows[-1]):
        for cell in row.cells:
            run = [r for r in cell.paragraphs[0].runs if r.text][-1]
            assert run.font.size.pt == 9.5
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert "吕四港镇第一行第二行" in docx_text(data)


def test_pdf_table_holds_short_and_wrapped_cells() -> None:
    """GOV-1: a cell that fits its column and one that wraps both come out whole in the PDF."""
    text = pdf_text(render_pdf(blocks(), title="通报"))
    assert "启东市基准0镇为民服务中心" in text
    assert "个体工商户设立登记（含名称自主申报、经营范围规范表述）" in text
    assert "村199办理中" in text
