"""The scorecard as a printable PDF (embedded CJK font), an editable .docx and an .xlsx (SITE-8, GOV-1).
Each carries every rule's result, the safety items first, and the rectification list."""

from __future__ import annotations

import io

from django.utils import timezone

from govhall.core.calendar import provisional_note, tentative
from govhall.core.documents import (
    Block,
    FieldTable,
    Heading,
    Paragraph,
    Spacer,
    Table,
    Title,
    render_docx,
    render_pdf,
)
from govhall.standards.models import Assessment, AssessmentResult, RectificationItem
from govhall.standards.selectors import Scorecard

AUTHOR = "启东市行政审批局"
RESULT_HEADER = ["类别", "规则", "考核内容", "标准", "实测", "结果", "分值", "得分"]
ITEM_HEADER = ["序号", "规则", "整改内容", "整改期限", "责任人", "状态"]


def filename(assessment: Assessment, fmt: str) -> str:
    day = timezone.localtime(assessment.assessed_at).strftime("%Y%m%d")
    return f"{assessment.centre.name}-标准化考核评分表-第{assessment.sequence}次-{day}.{fmt}"


def _kind(r: AssessmentResult) -> str:
    return "安全项" if r.is_safety else ("加分项" if r.is_bonus else "")


def _verdict(r: AssessmentResult) -> str:
    if r.passed:
        return "达标"
    return "未达标（安全项）" if r.is_safety else ("未得分" if r.is_bonus else "未达标")


def result_rows(card: Scorecard) -> list[list[str]]:
    return [
        [
            _kind(r),
            r.code,
            r.title,
            r.threshold_text,
            r.measured_text,
            _verdict(r),
            str(r.weight),
            str(r.points),
        ]
        for r in card.results
    ]


def _item_row(i: int, item: RectificationItem) -> list[str]:
    owner = item.owner.display_name if item.owner else "未指定"
    due = tentative(item.due_date.isoformat(), item.due_waits_for)
    return [
        str(i),
        item.code,
        ("【安全】" if item.is_safety else "") + item.title,
        due,
        owner,
        item.get_status_display(),
    ]


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
        (
            "现场勘查",
            f"{survey.signed_name} 签名于 {timezone.localtime(survey.signed_at):%Y-%m-%d %H:%M}"
            if survey.signed_at
            else "—",
        ),
        ("总分", f"{a.score}（基本分 {a.base_score}，加分 {a.bonus_score}）"),
        ("等级", a.grade),
        ("未达标项", f"{a.failed_count} 项，其中安全项 {a.safety_failed_count} 项"),
    ]


# --- PDF and DOCX (the one renderer, core.documents) -----------------------------------------------------


def scorecard_blocks(card: Scorecard) -> list[Block]:
    a = card.assessment
    blocks: list[Block] = [Title(f"{a.centre.name} 标准化建设考核评分表"), FieldTable(summary_rows(card))]
    if card.safety_failed:
        blocks += [
            Spacer(3),
            Paragraph(
                "安全项未达标："
                + "；".join(f"{r.code} {r.title}" for r in card.safety_failed)
                + "。须立即整改。",
                bold=True,
                warning=True,
            ),
        ]
    failed = [i for i, r in enumerate(card.results) if not r.passed]
    blocks += [
        Heading("逐项考核结果（安全项在前）"),
        Table(RESULT_HEADER, result_rows(card), widths=[16, 20, 70, 44, 56, 26, 14, 14], highlight=failed),
        Heading("整改清单"),
    ]
    if card.items:
        blocks.append(
            Table(
                ITEM_HEADER, item_rows(card), widths=[12, 22, 100, 38, 40, 30], notes=provisional_lines(card)
            )
        )
    else:
        blocks.append(Paragraph("本次考核全部达标，无整改事项。"))
    return blocks


def _title(card: Scorecard) -> str:
    return f"{card.assessment.centre.name} 标准化考核评分表"


def scorecard_pdf(card: Scorecard) -> bytes:
    return render_pdf(scorecard_blocks(card), title=_title(card), landscape=True, author=AUTHOR)


def scorecard_docx(card: Scorecard) -> bytes:
    return render_docx(scorecard_blocks(card), title=_title(card), landscape=True, author=AUTHOR)


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
