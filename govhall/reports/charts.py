"""The monthly 通报's charts (GOV-1), drawn on the server without a browser: each chart is one reportlab
Drawing, put into the PDF as vector graphics and rasterised to PNG for the DOCX by a small Pillow renderer
(reportlab's own renderPM needs a C backend that is not installed). Labels use the embedded CJK font
(core.documents.pdf_font) in both, so Chinese town names render on any machine.

The figures are the bulletin's own rows (the dashboard's `city_table`) and the trends page's `series`; a
chart never queries anything else.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

from govhall.core import documents as doc
from govhall.core.calendar import month_bounds, shift_month
from govhall.reports import selectors
from govhall.reports.selectors import Row

PALETTE = ("#1f5fa8", "#e08a1e", "#3c9a5f", "#b23b3b")
WIDTH_MM = 165  # the charts' width on an A4 portrait page (18 mm margins)


@dataclass
class Chart:
    """What a chart shows: its title, the category labels and one list of values per series."""

    title: str
    kind: str  # "bars" (towns down the side) | "line" (months along the bottom)
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    unit: str = ""
    value_max: float | None = None  # 100 for percentages

    def values(self, name: str) -> dict[str, float | None]:
        """{category: value} of one series (what the tests compare with the dashboard)."""
        return dict(zip(self.categories, dict(self.series)[name], strict=True))


def _number(cell: selectors.Cell) -> float | None:
    return None if cell.value is None else float(cell.value)


def _by_town(city: Row, title: str, codes: dict[str, str], unit: str, top: float | None = None) -> Chart:
    """One bar per town and indicator (`codes`: indicator → series name), from the bulletin's own rows."""
    towns = city.children
    series = [(name, [_number(t.cells[code]) for t in towns]) for code, name in codes.items()]
    return Chart(title, "bars", [t.label for t in towns], series, unit=unit, value_max=top)


def town_volume(city: Row, period_label: str) -> Chart:
    codes = {"cases_received": "收件", "cases_finished": "办结"}
    return _by_town(city, f"各镇（区）收件与办结（{period_label}，件）", codes, "件")


def town_rates(city: Row, period_label: str) -> Chart:
    codes = {"on_time_rate": "按时办结率", "satisfaction": "满意率"}
    return _by_town(city, f"各镇（区）按时办结率与满意率（{period_label}，%）", codes, "%", 100)


def city_trend(month: dt.date) -> Chart:
    """The city's 收件 and 办结 in the twelve months up to `month` (the trends page's `series`)."""
    start = shift_month(month, -11)
    last = month_bounds(month)[1]
    data = selectors.series(None, start, last, by_month=True)
    labels = [f"{int(label[5:])}月" for label in data["labels"]]
    return Chart(
        f"全市近12个月收件与办结（{start:%Y年%m月}至{last:%Y年%m月}，件）",
        "line",
        labels,
        [("收件", list(data["cases_received"])), ("办结", list(data["cases_finished"]))],
        unit="件",
    )


def bulletin_charts(month: dt.date, city: Row, period_label: str) -> list[Chart]:
    return [town_volume(city, period_label), town_rates(city, period_label), city_trend(month)]


# --- drawing -------------------------------------------------------------------------------------------


def _nice_max(values: list[float | None]) -> float:
    """A round top for the value axis, a little above the largest value (room for the bar labels)."""
    top = max([v for v in values if v is not None] or [0.0]) * 1.12
    if top <= 0:
        return 10.0
    step = 10 ** math.floor(math.log10(top)) / 2
    return float(math.ceil(top / step) * step)


def drawing(chart: Chart) -> Any:
    """The reportlab Drawing of a chart (points: 480 wide)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.graphics.widgets.markers import makeMarker
    from reportlab.lib import colors

    font = doc.pdf_font()
    colours = [colors.HexColor(c) for c in PALETTE]
    width = 480
    everything = [v for _, values in chart.series for v in values]
    if chart.kind == "bars":
        plot_height = max(1, len(chart.categories)) * 9 * len(chart.series) + 10
        height = plot_height + 84
        plot: Any = HorizontalBarChart()
        plot.x, plot.y, plot.width, plot.height = 78, 48, width - 78 - 30, plot_height
        plot.categoryAxis.reverseDirection = 1  # the first town on top
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
        plot.barSpacing, plot.groupSpacing = 1, 5
        plot.barLabelFormat = lambda v: "" if v is None else f"{v:g}"
        plot.barLabels.fontName, plot.barLabels.fontSize = font, 6.5
        plot.barLabels.boxAnchor, plot.barLabels.dx = "w", 2
        # A group's bars are drawn bottom-up: the series go in reversed, so the first one is on top.
        for i in range(len(chart.series)):
            plot.bars[i].fillColor = colours[len(chart.series) - 1 - i]
            plot.bars[i].strokeColor = None
    else:
        height = 220
        plot = HorizontalLineChart()
        plot.x, plot.y, plot.width, plot.height = 50, 50, width - 50 - 20, height - 50 - 34
        plot.joinedLines = 1
        plot.categoryAxis.labels.boxAnchor = "n"
        plot.categoryAxis.labels.dy = -3
        for i in range(len(chart.series)):
            plot.lines[i].strokeColor = colours[i]
            plot.lines[i].strokeWidth = 1.6
            plot.lines[i].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colours[i])
    data = [list(values) for _, values in chart.series]
    plot.data = data[::-1] if chart.kind == "bars" else data
    plot.categoryAxis.categoryNames = list(chart.categories)
    for labels in (plot.categoryAxis.labels, plot.valueAxis.labels):
        labels.fontName, labels.fontSize = font, 7.5
    plot.valueAxis.valueMin = 0
    plot.valueAxis.valueMax = chart.value_max or _nice_max(everything)
    plot.valueAxis.visibleGrid = 1
    plot.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    plot.valueAxis.gridStrokeWidth = 0.5
    plot.valueAxis.labelTextFormat = lambda v: f"{v:g}"

    d = Drawing(width, height)
    d.add(String(width / 2, height - 16, chart.title, fontName=font, fontSize=10.5, textAnchor="middle"))
    d.add(plot)
    legend = Legend()
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 80
    legend.colorNamePairs = [(colours[i], name) for i, (name, _) in enumerate(chart.series)]
    legend.x, legend.y = width / 2 - 40 * len(chart.series), 6
    legend.boxAnchor = "sw"
    d.add(legend)
    return d


def png(d: Any, scale: float = 2) -> bytes:
    """The drawing as PNG (white background), with the embedded CJK font."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (math.ceil(d.width * scale), math.ceil(d.height * scale)), "white")
    _PillowRenderer(ImageDraw.Draw(image), scale, d.height).render(d)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def picture(chart: Chart) -> doc.Picture:
    d = drawing(chart)
    return doc.Picture(png=png(d), width_mm=WIDTH_MM, drawing=d)


class _PillowRenderer:
    """Just enough of a reportlab renderer for charts: rectangles, lines, polylines, polygons, circles and
    horizontal strings, each through the current transform, on a Pillow image (y flipped)."""

    def __init__(self, draw: Any, scale: float, height: float) -> None:
        from reportlab.graphics.renderbase import Renderer

        self.draw = draw
        self.scale = scale
        self.base = (scale, 0.0, 0.0, -scale, 0.0, height * scale)
        self._fonts: dict[int, Any] = {}

        outer = self

        class R(Renderer):  # type: ignore[misc]
            def initState(self, x: float, y: float) -> None:
                state = self._tracker._combined[-1]
                state["transform"] = state["ctm"] = outer.base
                self._tracker.push(state)

            def pop(self) -> None:
                self._tracker.pop()

            def drawNode(self, node: Any) -> None:
                from reportlab.graphics.renderbase import getStateDelta

                self._tracker.push(getStateDelta(node))
                self.drawNodeDispatcher(node)
                self._tracker.pop()

            def drawRect(self, rect: Any) -> None:
                x, y, w, h = rect.x, rect.y, rect.width, rect.height
                outer.polygon(self._tracker.getState(), [x, y, x + w, y, x + w, y + h, x, y + h], True)

            def drawLine(self, line: Any) -> None:
                outer.polygon(self._tracker.getState(), [line.x1, line.y1, line.x2, line.y2], False)

            def drawPolyLine(self, p: Any) -> None:
                outer.polygon(self._tracker.getState(), list(p.points), False)

            def drawPolygon(self, p: Any) -> None:
                outer.polygon(self._tracker.getState(), list(p.points), True)

            def drawCircle(self, c: Any) -> None:
                outer.circle(self._tracker.getState(), c.cx, c.cy, c.r)

            def drawString(self, s: Any) -> None:
                outer.text(self._tracker.getState(), s)

            def applyStateChanges(self, delta: Any, new_state: Any) -> None:
                pass

        self.renderer = R()

    def render(self, d: Any) -> None:
        class Canvas:  # what Renderer.draw asks of a canvas
            def saveState(self) -> None:
                pass

            def restoreState(self) -> None:
                pass

        self.renderer.draw(d, Canvas(), showBoundary=False)

    @staticmethod
    def _colour(c: Any) -> tuple[int, int, int] | None:
        if c is None:
            return None
        return (round(c.red * 255), round(c.green * 255), round(c.blue * 255))

    @staticmethod
    def _point(ctm: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return (a * x + c * y + e, b * x + d * y + f)

    def _factor(self, ctm: tuple[float, ...]) -> float:
        return math.sqrt(abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]))

    def polygon(self, state: dict[str, Any], coords: list[float], closed: bool) -> None:
        ctm = state["ctm"]
        points = [self._point(ctm, coords[i], coords[i + 1]) for i in range(0, len(coords) - 1, 2)]
        stroke = self._colour(state["strokeColor"])
        width = max(1, round(state["strokeWidth"] * self._factor(ctm))) if state["strokeWidth"] else 0
        if closed:
            fill = self._colour(state["fillColor"])
            if fill is not None:
                self.draw.polygon(points, fill=fill)
            if stroke is not None and width:
                self.draw.line([*points, points[0]], fill=stroke, width=width)
        elif stroke is not None and width:
            self.draw.line(points, fill=stroke, width=width, joint="curve")

    def circle(self, state: dict[str, Any], cx: float, cy: float, r: float) -> None:
        x, y = self._point(state["ctm"], cx, cy)
        radius = r * self._factor(state["ctm"])
        fill, stroke = self._colour(state["fillColor"]), self._colour(state["strokeColor"])
        self.draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill, outline=stroke)

    def text(self, state: dict[str, Any], s: Any) -> None:
        from PIL import ImageFont
        from reportlab.pdfbase.pdfmetrics import stringWidth

        fill = self._colour(state["fillColor"])
        if fill is None or not s.text:
            return
        size, anchor = state["fontSize"], state["textAnchor"]
        x = s.x
        if anchor in ("end", "middle"):
            shift = stringWidth(s.text, doc.pdf_font(), size)
            x -= shift if anchor == "end" else shift / 2
        px, py = self._point(state["ctm"], x, s.y)
        pixels = max(1, round(size * self._factor(state["ctm"])))
        if pixels not in self._fonts:
            self._fonts[pixels] = ImageFont.truetype(str(doc.FONT_PATH), pixels, index=0)
        self.draw.text((px, py), s.text, font=self._fonts[pixels], fill=fill, anchor="ls")
