"""Bar and trend charts for briefings, drawn as vector graphics in our fonts.

Each function returns a ReportLab ``Drawing``, a flowable that goes into a
document as ``layout.Figure(drawing, caption=...)``. Every string is set in
the embedded body face: ReportLab's chart defaults (Helvetica) would add an
unembedded font and print Chinese category names as blanks.
"""

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm

from briefings.fonts import register_fonts, replace_missing_glyphs

SERIES_COLOURS = (
    colors.HexColor("#C00000"),
    colors.HexColor("#1F4E79"),
    colors.HexColor("#7F7F7F"),
    colors.HexColor("#BF9000"),
)

LABEL_SIZE = 9
DEFAULT_WIDTH = 150 * mm
DEFAULT_HEIGHT = 70 * mm

# Room for axis labels left and below, and for the legend on top.
PLOT_LEFT, PLOT_BOTTOM, PLOT_TOP_GAP = 40, 30, 24


def bar_chart(categories, values, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT):
    """One series of bars, one per category (e.g. posts per platform)."""
    chart = VerticalBarChart()
    _place(chart, width, height)
    chart.data = [list(values)]
    chart.bars[0].fillColor = SERIES_COLOURS[0]
    chart.bars.strokeColor = None
    _label_axes(chart, categories)
    drawing = _drawing(width, height)
    drawing.add(chart)
    return drawing


def trend_chart(points, series, width=DEFAULT_WIDTH, height=DEFAULT_HEIGHT):
    """Lines over time: ``points`` labels the x axis (dates, hours), ``series`` maps a name to values."""
    chart = HorizontalLineChart()
    _place(chart, width, height)
    names = list(series)
    chart.data = [list(series[name]) for name in names]
    for index in range(len(names)):
        chart.lines[index].strokeColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.lines[index].strokeWidth = 1.5
    _label_axes(chart, points)
    drawing = _drawing(width, height)
    drawing.add(chart)
    if names:
        drawing.add(_legend(names, width, height))
    return drawing


def _drawing(width, height):
    drawing = Drawing(width, height)
    # The renderer otherwise starts every drawing by selecting Helvetica.
    drawing.initialFontName = register_fonts().body
    drawing.initialFontSize = LABEL_SIZE
    return drawing


def _place(chart, width, height):
    chart.x, chart.y = PLOT_LEFT, PLOT_BOTTOM
    chart.width = width - PLOT_LEFT - 10
    chart.height = height - PLOT_BOTTOM - PLOT_TOP_GAP


def _label_axes(chart, categories):
    font = register_fonts().body
    chart.categoryAxis.categoryNames = [replace_missing_glyphs(str(name), font) for name in categories]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = font
        axis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#D9D9D9")


def _legend(names, width, height):
    font = register_fonts().body
    legend = Legend()
    legend.fontName = font
    legend.fontSize = LABEL_SIZE
    legend.alignment = "right"
    legend.deltax = 60
    legend.x, legend.y = PLOT_LEFT, height - 8
    legend.boxAnchor = "nw"
    legend.colorNamePairs = [
        (SERIES_COLOURS[index % len(SERIES_COLOURS)], replace_missing_glyphs(name, font))
        for index, name in enumerate(names)
    ]
    # Lay the entries out in a row across the top, not stacked.
    legend.columnMaximum = 1
    legend.dx, legend.dy = 8, 8
    return legend
