"""The scorecard as a printable PDF (embedded CJK font), an editable .docx and an .xlsx (SITE-8, GOV-1).
Each carries every rule's result, the safety items first, and the rectification list."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.utils import timezone

from govhall.core.calendar import provisional_note, tentative
from govhall.standards.models import Assessment, AssessmentResult, RectificationItem
from govhall.standards.selectors import Scorecard

FONT_PATH = Path(__file__).resolve().parent.parent / "core" / "fonts" / "wqy-microhei.ttc"
PDF_FONT = "WQY"
RESULT_HEADER = ["类别", "规则", "考核内容", "标准", "实测", "结果", "分值", "得分"]
ITEM_HEADER = ["序号", "规则", "整改内容", "整改期限", "责任人", "状态"]


def filename(assessment: Assessment, fmt: str) -> str:
    day = timezone.localtime(assessment.assessed_at).strftime("%Y%m%d")
    return quote(f"{assessment.centre.name}-标准化考核评分表-第{assessment.sequence}次-{day}.{fmt}")


def _kind(r: AssessmentResult) -> str:
    return "安全项" if r.is_safety else ("加分项" if r.is_bonus else "")


def _verdict(r: AssessmentResult) -> str:
    if r.passed:
        return "达标"
    return "未达标（安全项）" if r.is_safety else ("未得分" if r.is_bonus else "未达标")


def result_rows(card: Scorecard) -> list[list[str]]:
    return [[_kind(r), r.code, r.title, r.threshold_text, r.measured_text, _verdict(r), str(r.weight), str(r.points)]
            for r in card.results]


def _item_row(i: int, item: RectificationItem) -> list[str]:
    owner = item.owner.display_name if item.owner else "未指定"
    due = tentative(item.due_date.isoformat(), item.due_waits_for)
    return [str(i), item.code, ("【安全】" if item.is_safety else "") + item.title, due, owner,
            item.get_status_display()]


def provisional_lines(card: Scorecard) -> list[str]:
    """STD-3: one line per year a 暂定 rectification date waits for, printed under the list."""
    years = sorted({item.due_waits_for for item in card.items if item.due_waits_for})
    return [f"※ 标注「暂定」的整改期限：{provisional_note(year)}。" for year in years]


def item_rows(card: Scorecard) -> list[list[str]]:
    return [_item_row(i, item) for i, item in enumerate(card.items, start=1)]


def summary_rows(card: Scorecard) -> list[tuple[str, str]]:
    a = card.assessment
    survey = a.survey
    return [
        ("服务中心", a.centre.name),
        ("考核层级", a.get_level_display()),
        ("规则集", f"{a.rule_set.name}（版本 {a.rule_set.version}）"),
        ("考核次序", f"第{a.sequence}次"),
        ("考核时间", timezone.localtime(a.assessed_at).strftime("%Y-%m-%d %H:%M")),
        ("考核人", a.assessed_by.display_name),
        ("现场勘查", f"{survey.signed_name} 签名于 {timezone.localtime(survey.signed_at):%Y-%m-%d %H:%M}"
         if survey.signed_at else "—"),
        ("总分", f"{a.score}（基本分 {a.base_score}，加分 {a.bonus_score}）"),
        ("等级", a.grade),
        ("未达标项", f"{a.failed_count} 项，其中安全项 {a.safety_failed_count} 项"),
    ]


# --- PDF ---------------------------------------------------------------------------------------------------

@cache
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(PDF_FONT, str(FONT_PATH), subfontIndex=0))
    return PDF_FONT


def scorecard_pdf(card: Scorecard) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=16, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    warn = ParagraphStyle("warn", parent=body, textColor=colors.HexColor("#c62828"), fontSize=10, leading=14)

    def cells(rows: list[list[str]]) -> list[list[Paragraph]]:
        return [[Paragraph(escape(str(c)), body) for c in row] for row in rows]

    def table(rows: list[list[str]], widths: list[float], failed_rows: list[int] | None = None) -> Table:
        t = Table(cells(rows), colWidths=[w * mm for w in widths], repeatRows=1)
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        style += [("BACKGROUND", (0, r), (-1, r), colors.HexColor("#fdecea")) for r in failed_rows or []]
        t.setStyle(TableStyle(style))
        return t

    a = card.assessment
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=f"{a.centre.name} 标准化考核评分表",
                            author="启东市行政审批局")
    story: list[object] = [Paragraph(escape(f"{a.centre.name} 标准化建设考核评分表"), title)]
    story.append(table([[k, v] for k, v in summary_rows(card)], [40, 200]))
    if card.safety_failed:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(escape("安全项未达标：" + "；".join(f"{r.code} {r.title}" for r in card.safety_failed)
                                      + "。须立即整改。"), warn))
    story.append(Paragraph("逐项考核结果（安全项在前）", head))
    failed_rows = [i for i, r in enumerate(card.results, start=1) if not r.passed]
    story.append(table([RESULT_HEADER, *result_rows(card)], [16, 20, 70, 44, 56, 26, 14, 14], failed_rows))
    story.append(Paragraph("整改清单", head))
    if card.items:
        story.append(table([ITEM_HEADER, *item_rows(card)], [12, 22, 110, 28, 40, 30]))
        story.extend(Paragraph(escape(line), warn) for line in provisional_lines(card))
    else:
        story.append(Paragraph("本次考核全部达标，无整改事项。", body))
    doc.build(story)
    return buffer.getvalue()


# --- DOCX --------------------------------------------------------------------------------------------------

def scorecard_docx(card: Scorecard) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Mm(15))
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    a = card.assessment
    document.add_heading(f"{a.centre.name} 标准化建设考核评分表", level=1)

    def add_table(rows: list[list[str]], header: bool = True) -> None:
        t = document.add_table(rows=0, cols=len(rows[0]))
        t.style = "Table Grid"
        for n, row in enumerate(rows):
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
                if header and n == 0:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True

    add_table([[k, v] for k, v in summary_rows(card)], header=False)
    if card.safety_failed:
        p = document.add_paragraph()
        run = p.add_run("安全项未达标：" + "；".join(f"{r.code} {r.title}" for r in card.safety_failed) + "。须立即整改。")
        run.bold = True
    document.add_heading("逐项考核结果（安全项在前）", level=2)
    add_table([RESULT_HEADER, *result_rows(card)])
    document.add_heading("整改清单", level=2)
    if card.items:
        add_table([ITEM_HEADER, *item_rows(card)])
        for line in provisional_lines(card):
            document.add_paragraph().add_run(line).bold = True
    else:
        document.add_paragraph("本次考核全部达标，无整改事项。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- XLSX --------------------------------------------------------------------------------------------------

def scorecard_xlsx(card: Scorecard) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    summary = book.active
    summary.title = "概况"
    for k, v in summary_rows(card):
        summary.append([k, v])
    summary.column_dimensions["A"].width = 14
    summary.column_dimensions["B"].width = 70

    bad = PatternFill("solid", fgColor="FDECEA")
    results = book.create_sheet("考核结果")
    results.append(RESULT_HEADER)
    for r, row in zip(card.results, result_rows(card), strict=True):
        results.append([*row[:6], float(r.weight), float(r.points)])
        if not r.passed:
            for cell in results[results.max_row]:
                cell.fill = bad
    items = book.create_sheet("整改清单")
    items.append(ITEM_HEADER)
    for row in item_rows(card):
        items.append(row)
    for sheet, widths in ((results, [8, 12, 40, 28, 36, 16, 8, 8]), (items, [6, 12, 48, 14, 14, 14])):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGH", widths, strict=False):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
