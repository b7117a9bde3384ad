"""The monthly 通报 (GOV-1): generated from the roll-up, its numbers are the dashboard's."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from reportlab.pdfbase.pdfmetrics import getFont

from govhall.core.documents import docx_text, pdf_font, pdf_text
from govhall.reports.monthly import build, render
from tests.browser_layout import shots_dir
from tests.conftest import login
from tests.reports.conftest import local


def march_in_the_town(scene: Any, clock: Any) -> None:
    scene.finished_case()
    scene.open_case()
    scene.rate_visit(scene.serve(), level=1)
    clock.move_to(local(2026, 3, 11, 10, 0))
    scene.finished_case(name="李四")
    clock.move_to(local(2026, 4, 2, 9, 0))
    call_command("reports_rebuild", "--from", "2026-03-01", "--to", "2026-03-31", stdout=io.StringIO())


def test_bulletin_numbers_equal_the_dashboards(client: Any, scene: Any, clock: Any) -> None:
    """GOV-1: the 通报's summary sheet and its text carry the dashboard's figures for the month."""
    march_in_the_town(scene, clock)
    html = login(client, scene.bureau_admin).get("/reports/?from=2026-03-01&to=2026-03-31").content.decode()
    row = re.search(r'<tr class="r-city"[^>]*>(.*?)</tr>', html, re.S).group(1)
    dashboard = {
        code: re.search(rf'data-indicator="{code}"><a href="[^"]*">([^<]*)</a>', row).group(1)
        for code in ("cases_received", "cases_finished", "tickets_issued")
    }
    assert dashboard["cases_received"] == "3"

    files = render(build(dt.date(2026, 3, 1)))
    # For looking at: pdftoppm -png -r 80 bulletin-2026-03.pdf page
    (shots_dir("city-view") / "bulletin-2026-03.pdf").write_bytes(files["pdf"])
    (shots_dir("city-view") / "bulletin-2026-03.docx").write_bytes(files["docx"])
    ws = load_workbook(io.BytesIO(files["xlsx"]))["全市汇总"]
    header = [c.value for c in ws[2]]
    city = [c.value for c in ws[3]]
    assert city[header.index("收件（件）")] == int(dashboard["cases_received"])
    assert city[header.index("办结（件）")] == int(dashboard["cases_finished"])
    text = pdf_text(files["pdf"])
    assert "启东市镇村政务服务工作月度通报" in text
    assert f"收件{dashboard['cases_received']}件" in text.replace("\n", "")
    assert "吕四港镇" in docx_text(files["docx"])


def _cells(html: str, codes: tuple[str, ...]) -> dict[str, float | None]:
    """The dashboard's top row: indicator → its figure as a number (None for —)."""
    row = re.search(r'<tr class="r-city"[^>]*>(.*?)</tr>', html, re.S).group(1)
    out: dict[str, float | None] = {}
    for code in codes:
        cell = re.search(rf'data-indicator="{code}">(.*?)</td>', row, re.S).group(1)
        figure = re.search(r'<a href="[^"]*">([^<]*)</a>', cell)
        out[code] = float(figure.group(1)) if figure else None
    return out


def test_bulletin_charts_draw_the_dashboards_figures(client: Any, scene: Any, clock: Any) -> None:
    """GOV-1: the 通报 carries its charts as pictures (DOCX) and drawings (PDF) with Chinese labels in the
    embedded font; the towns' bars are the dashboard's figures for the town and the month, the trend's last
    point the city's figure for the month."""
    march_in_the_town(scene, clock)
    codes = ("cases_received", "cases_finished", "on_time_rate", "satisfaction")
    admin = login(client, scene.bureau_admin)
    town = _cells(
        admin.get(f"/reports/?town={scene.town.pk}&from=2026-03-01&to=2026-03-31").content.decode(), codes
    )
    city = _cells(admin.get("/reports/?from=2026-03-01&to=2026-03-31").content.decode(), codes)
    assert town["cases_received"] == 3 and town["satisfaction"] is not None

    bulletin = build(dt.date(2026, 3, 1))
    volume, rates, trend = bulletin.charts
    name = scene.town.division.name
    assert volume.values("收件")[name] == town["cases_received"]
    assert volume.values("办结")[name] == town["cases_finished"]
    assert rates.values("按时办结率")[name] == town["on_time_rate"]
    assert rates.values("满意率")[name] == town["satisfaction"]
    assert trend.categories[-1] == "3月" and len(trend.categories) == 12
    assert trend.values("收件")["3月"] == city["cases_received"]
    assert trend.values("办结")["3月"] == city["cases_finished"]

    # Every label's characters are in the embedded font (no tofu boxes in the PDF or the PNG).
    glyphs = getFont(pdf_font()).face.charToGlyph
    for chart in bulletin.charts:
        labels = [chart.title, *chart.categories, *(n for n, _ in chart.series)]
        assert all(ord(ch) in glyphs for text in labels for ch in text), chart.title

    files = render(bulletin)
    word = Document(io.BytesIO(files["docx"]))
    assert len(word.inline_shapes) == 3
    for shape in word.inline_shapes:
        blob = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(word.part.related_parts[blob].blob))
        assert image.format == "PNG" and image.width >= 900  # 480 pt at 2 px a point
    text = pdf_text(files["pdf"])
    for chart in bulletin.charts:
        assert chart.title in text  # drawn as vector text, so the PDF's text has it
    assert f"{name}" in text and "按时办结率" in text and "满意率" in text


def test_monthly_command_and_button_draft_the_three_files(
    client: Any, scene: Any, clock: Any, tmp_path: Path
) -> None:
    """GOV-1: `govhall reports monthly 2026-03` writes DOCX, PDF and XLSX; the bureau's button downloads."""
    march_in_the_town(scene, clock)
    out = io.StringIO()
    call_command("reports_monthly", "2026-03", "--out", str(tmp_path), stdout=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bulletin-2026-03.docx", "bulletin-2026-03.pdf", "bulletin-2026-03.xlsx",
    ]  # fmt: skip
    response = login(client, scene.bureau_admin).get("/reports/monthly/?month=2026-03&fmt=docx")
    assert response.status_code == 200 and response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''bulletin-2026-03.docx"
    )
    assert login(client, scene.director).get("/reports/monthly/").status_code == 403
    bad = login(client, scene.bureau_admin).get("/reports/monthly/?month=2026-13")
    assert bad.status_code == 400 and "月份格式" in bad.content.decode()
