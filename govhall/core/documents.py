"""Printable documents: one block list, rendered to PDF (reportlab, with the embedded CJK font so it shows
on any machine) and to .docx (python-docx, for offices that edit in WPS/Word); QR codes with segno.

A document is a list of blocks::

    blocks = [Title("办事指南", subtitle="启东市…"), FieldTable([("事项名称", "…")]),
              Heading("申请材料"), Table(["序号", "材料名称"], [["1", "身份证"]]), QRCode(url, "扫码查看")]
    pdf = render_pdf(blocks, title="…")
    docx = render_docx(blocks, title="…", landscape=True)  # wide tables: A4 landscape

Apps build their blocks (guides, notification sheets, acceptance notices, scorecards …) and share the
renderers; nothing else in govhall draws a PDF or a .docx.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
PDF_FONT = "WQY"
DOCX_FONT = "宋体"  # present on every Chinese Windows/WPS install; WPS substitutes elsewhere
HIGHLIGHT = "#fdecea"  # background of a highlighted table row
WARNING = "#c62828"  # text colour of a warning paragraph

# --- blocks ----------------------------------------------------------------------------------------


@dataclass
class Title:
    text: str
    subtitle: str = ""


@dataclass
class Heading:
    text: str


@dataclass
class Paragraph:
    text: str
    align: str = "left"  # left | center | right
    bold: bool = False
    warning: bool = False  # red: a line the reader must not miss (a failed safety item)


@dataclass
class FieldTable:
    """Two columns: label and value."""

    rows: list[tuple[str, str]]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    highlight: list[int] = field(default_factory=list)  # indexes into rows shaded light red (failed items)
    notes: list[str] = field(
        default_factory=list
    )  # footnotes under the table, in red, on the page it ends on


@dataclass
class QRCode:
    url: str
    caption: str = ""


@dataclass
class Spacer:
    height_mm: float = 4


@dataclass
class Picture:
    """A picture across the page (a chart): a reportlab Drawing drawn as vector graphics in the PDF, and its
    PNG in the .docx (python-docx takes raster images only); both scaled to `width_mm`."""

    png: bytes
    width_mm: float = 160
    drawing: object | None = None  # reportlab.graphics.shapes.Drawing
    caption: str = ""


@dataclass
class Signature:
    """Right-aligned closing lines (centre name, seal, date)."""

    lines: list[str] = field(default_factory=list)


Block = Title | Heading | Paragraph | FieldTable | Table | QRCode | Spacer | Picture | Signature


# --- QR --------------------------------------------------------------------------------------------


def qr_png(data: str, *, scale: int = 5, border: int = 2) -> bytes:
    """A QR code as PNG bytes (error correction M)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_svg(data: str, *, scale: int = 4) -> str:
    """A QR code as an inline SVG string (for web pages; no script, CSP-safe)."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return out.getvalue().decode()


# --- PDF -------------------------------------------------------------------------------------------

_registered = False


def pdf_font() -> str:
    """Register the embedded font once; return its reportlab name."""
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(PDF_FONT, str(FONT_PATH), subfontIndex=0))
        _registered = True
    return PDF_FONT


def _markup(text: str) -> str:
    return escape(text or "").replace("\n", "<br/>")


def render_pdf(
    blocks: list[Block], *, title: str, footer: str = "", landscape: bool = False, author: str = "govhall"
) -> bytes:
    """Render blocks to an A4 PDF (portrait, or landscape for wide tables) with the embedded CJK font."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turned
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Image, KeepTogether, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer as RLSpacer
    from reportlab.platypus import Table as RLTable

    font = pdf_font()
    page = turned(A4) if landscape else A4
    aligns = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    title_style = ParagraphStyle(
        "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm
    )
    subtitle_style = ParagraphStyle(
        "subtitle",
        parent=base,
        fontSize=11,
        alignment=TA_CENTER,
        spaceAfter=4 * mm,
        textColor=colors.HexColor("#444444"),
    )
    heading_style = ParagraphStyle(
        "heading", parent=base, fontSize=13, leading=20, spaceBefore=4 * mm, spaceAfter=2 * mm
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=14)
    cell_head = ParagraphStyle("cellhead", parent=cell, alignment=TA_CENTER)
    width = page[0] - 36 * mm
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    # A body cell whose text fits on one line is a plain string drawn in the cell's font (a Paragraph per
    # cell costs a wrap and a draw each: most of a long table's time); these set the string the same way.
    plain = TableStyle(
        [
            ("FONTNAME", (0, 1), (-1, -1), font),
            ("FONTSIZE", (0, 1), (-1, -1), cell.fontSize),
            ("LEADING", (0, 1), (-1, -1), cell.leading),
        ]
    )
    story: list = []
    starts: list[int] = []  # where each block's flowables begin in the story
    for block in blocks:
        starts.append(len(story))
        if isinstance(block, Title):
            story.append(RLParagraph(_markup(block.text), title_style))
            if block.subtitle:
                story.append(RLParagraph(_markup(block.subtitle), subtitle_style))
        elif isinstance(block, Heading):
            story.append(RLParagraph(_markup(block.text), heading_style))
        elif isinstance(block, Paragraph):
            style = ParagraphStyle(
                "p",
                parent=base,
                alignment=aligns.get(block.align, TA_LEFT),
                textColor=colors.HexColor(WARNING if block.warning else "#000000"),
            )
            text = _markup(block.text)
            story.append(RLParagraph(f"<b>{text}</b>" if block.bold else text, style))
        elif isinstance(block, FieldTable):
            data = [[RLParagraph(_markup(k), cell), RLParagraph(_markup(v), cell)] for k, v in block.rows]
            if data:
                table = RLTable(data, colWidths=[width * 0.22, width * 0.78])
                table.setStyle(grid)
                table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0"))]))
                story.append(table)
        elif isinstance(block, Table):
            weights = block.widths or [1.0] * len(block.header)
            total = sum(weights)
            col_widths = [width * w / total for w in weights]
            data = [[RLParagraph(_markup(h), cell_head) for h in block.header]]
            data += [
                [_pdf_cell(str(c), w, cell, RLParagraph) for c, w in zip(row, col_widths, strict=True)]
                for row in block.rows
            ]
            table = RLTable(data, colWidths=col_widths, repeatRows=1)
            table.setStyle(grid)
            table.setStyle(plain)
            table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0"))]))
            table.setStyle(
                TableStyle(
                    [
                        ("BACKGROUND", (0, i + 1), (-1, i + 1), colors.HexColor(HIGHLIGHT))
                        for i in block.highlight
                    ]
                )
            )
            note = ParagraphStyle("note", parent=base, textColor=colors.HexColor(WARNING))
            story += [table, *(RLParagraph(_markup(line), note) for line in block.notes)]
        elif isinstance(block, QRCode):
            image = Image(io.BytesIO(qr_png(block.url)), width=28 * mm, height=28 * mm)
            parts = [RLSpacer(1, 3 * mm), image]
            if block.caption:
                parts.append(
                    RLParagraph(
                        _markup(block.caption), ParagraphStyle("qr", parent=cell, alignment=TA_CENTER)
                    )
                )
            parts.append(
                RLParagraph(
                    _markup(block.url), ParagraphStyle("qrurl", parent=cell, fontSize=8, alignment=TA_CENTER)
                )
            )
            story.append(KeepTogether(parts))
        elif isinstance(block, Spacer):
            story.append(RLSpacer(1, block.height_mm * mm))
        elif isinstance(block, Picture):
            story.append(KeepTogether(_picture(block, min(block.width_mm * mm, width), cell)))
        elif isinstance(block, Signature):
            style = ParagraphStyle("sig", parent=base, alignment=TA_RIGHT)
            story.append(RLSpacer(1, 6 * mm))
            story.extend(RLParagraph(_markup(line), style) for line in block.lines)
    starts.append(len(story))

    # A heading stays with the block after it, a table with its notes: on one page when the group fits
    # there, else (a long table) the heading only starts a new page when little room is left under it.
    frame_height = page[1] - 34 * mm - 12  # margins, frame padding
    groups: list[tuple[int, int]] = []
    k = 0
    while k < len(blocks):
        size = 2 if isinstance(blocks[k], Heading) and k + 1 < len(blocks) else 1
        if size == 2 or (isinstance(blocks[k], Table) and blocks[k].notes):  # type: ignore[union-attr]
            groups.append((starts[k], starts[k + size]))
        k += size
    for begin, end in reversed(groups):
        group = story[begin:end]
        height = sum(f.wrap(width, frame_height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in group)
        story[begin:end] = (
            [KeepTogether(group)] if height < frame_height else [CondPageBreak(40 * mm), *group]
        )

    def _page(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(font, 8)  # type: ignore[attr-defined]
        label = f"{footer}  第{doc.page}页" if footer else f"第{doc.page}页"  # type: ignore[attr-defined]
        canvas.drawCentredString(page[0] / 2, 10 * mm, label)  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator="govhall",
    )
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    return out.getvalue()


CELL_PADDING = 4  # points left and right in a PDF table cell (the grid style's LEFT/RIGHTPADDING)


def _pdf_cell(text: str, width: float, style: Any, paragraph: Any) -> Any:
    """A PDF table body cell: the plain string when it fits on one line of the column, else a wrapping
    Paragraph."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 2 * CELL_PADDING:
        return text
    return paragraph(_markup(text), style)


def _picture(block: Picture, width: float, cell: object) -> list:
    """The flowables of a picture: the drawing scaled to `width` (else the PNG), centred, its caption under."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image
    from reportlab.platypus import Paragraph as RLParagraph

    if block.drawing is not None:
        from reportlab.graphics.shapes import Drawing, Group

        source: Drawing = block.drawing  # type: ignore[assignment]
        ratio = width / source.width
        inner = Group(*source.contents)
        inner.scale(ratio, ratio)
        drawing = Drawing(width, source.height * ratio, inner, hAlign="CENTER")
        parts: list = [drawing]
    else:
        from PIL import Image as PILImage

        w, h = PILImage.open(io.BytesIO(block.png)).size
        parts = [Image(io.BytesIO(block.png), width=width, height=width * h / w)]
    if block.caption:
        style = ParagraphStyle("caption", parent=cell, alignment=TA_CENTER)  # type: ignore[arg-type]
        parts.append(RLParagraph(_markup(block.caption), style))
    return parts


# --- DOCX ------------------------------------------------------------------------------------------


def _docx_font(run: object, size: float | None = None, bold: bool = False, warning: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = DOCX_FONT  # type: ignore[attr-defined]
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)  # type: ignore[attr-defined]
    if size:
        run.font.size = Pt(size)  # type: ignore[attr-defined]
    if bold:
        run.font.bold = True  # type: ignore[attr-defined]
    if warning:
        run.font.color.rgb = RGBColor.from_string(WARNING[1:].upper())  # type: ignore[attr-defined]


def _shade(tc: Any, colour: str) -> None:
    """Shade a table cell (its <w:tc> element)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), colour.lstrip("#").upper())
    tc.get_or_add_tcPr().append(shading)


def _docx_rows(template: Any, rows: list[list[str]], highlight: set[int]) -> None:
    """The body rows of a .docx table, each a copy of `template` (a filled row: cell properties, run font)
    with its texts put in; then the template goes. A row of python-docx cell calls costs a search of the
    table's XML per cell and per font property: a few hundred rows took seconds."""
    from copy import deepcopy

    from docx.oxml.ns import qn

    for i, row in enumerate(rows):
        tr = deepcopy(template)
        for tc, value in zip(tr.iterchildren(qn("w:tc")), row, strict=True):
            t = tc.find(f".//{qn('w:t')}")  # the template's placeholder text
            text = str(value)
            if "\n" in text or "\t" in text:
                t.getparent().text = text  # python-docx's setter: line breaks and tabs as their elements
            elif text:
                t.text = text
                if text != text.strip():
                    t.set(qn("xml:space"), "preserve")
            else:
                t.getparent().remove(t)
            if i in highlight:
                _shade(tc, HIGHLIGHT)
        template.addprevious(tr)
    template.getparent().remove(template)


def render_docx(
    blocks: list[Block], *, title: str, footer: str = "", landscape: bool = False, author: str = "govhall"
) -> bytes:
    """Render blocks to an editable .docx (A4 portrait or landscape, 宋体)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Mm, Pt

    doc = Document()
    section = doc.sections[0]
    short, long = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.left_margin = section.right_margin = Cm(1.8)
    width = section.page_width - 2 * Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    doc.core_properties.title = title
    doc.core_properties.author = author
    aligns = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }

    def para(
        text: str,
        *,
        align: str = "left",
        size: float | None = None,
        bold: bool = False,
        warning: bool = False,
    ) -> None:
        p = doc.add_paragraph()
        p.alignment = aligns[align]
        lines = (text or "").split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            _docx_font(run, size, bold, warning)
            if i < len(lines) - 1:
                run.add_break()

    def fill(cell: object, text: str, bold: bool = False) -> None:
        cell.text = ""  # type: ignore[attr-defined]
        run = cell.paragraphs[0].add_run(text)  # type: ignore[attr-defined]
        _docx_font(run, 9.5, bold)

    for block in blocks:
        if isinstance(block, Title):
            para(block.text, align="center", size=18, bold=True)
            if block.subtitle:
                para(block.subtitle, align="center", size=11)
        elif isinstance(block, Heading):
            para(block.text, size=13, bold=True)
        elif isinstance(block, Paragraph):
            para(block.text, align=block.align, bold=block.bold, warning=block.warning)
        elif isinstance(block, FieldTable):
            if not block.rows:
                continue
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in block.rows:
                cells = table.add_row().cells
                fill(cells[0], label, bold=True)
                fill(cells[1], value)
                cells[0].width, cells[1].width = int(width * 0.22), int(width * 0.78)
        elif isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                fill(cell, text, bold=True)
            if block.rows:
                template = table.add_row()
                for cell in template.cells:
                    fill(cell, "-")
                _docx_rows(template._tr, block.rows, set(block.highlight))
            for line in block.notes:
                para(line, bold=True, warning=True)
        elif isinstance(block, QRCode):
            doc.add_picture(io.BytesIO(qr_png(block.url)), width=Cm(3))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.caption:
                para(block.caption, align="center", size=9)
            para(block.url, align="center", size=8)
        elif isinstance(block, Spacer):
            doc.add_paragraph()
        elif isinstance(block, Picture):
            doc.add_picture(io.BytesIO(block.png), width=min(Mm(block.width_mm), width))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.caption:
                para(block.caption, align="center", size=9)
        elif isinstance(block, Signature):
            doc.add_paragraph()
            for line in block.lines:
                para(line, align="right")
    if footer:
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _docx_font(p.add_run(footer), 8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- reading back (tests, checks) ------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """All text of a PDF (pypdf), whitespace removed so wrapped CJK lines read as one string."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a .docx, whitespace removed."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "".join("".join(parts).split())
