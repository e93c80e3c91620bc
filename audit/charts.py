"""Charts of the compliance page, drawn on the server with ReportLab's graphics and sent as
inline SVG (no script, nothing fetched by the browser)."""
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

MET, LATE, MISSED = colors.HexColor("#1d6b3a"), colors.HexColor("#a15c00"), colors.HexColor("#c81e1e")


def deadline_chart(rows: list[dict], width: int = 640) -> str:
    """Per deadline kind, stacked bars: met in time, met late, missed (counts)."""
    if not rows:
        return ""
    height = 40 + 34 * len(rows)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, width - 180, height - 40
    chart.data = [[row[m] for row in rows] for m in ("met_in_time", "late", "missed")]
    chart.categoryAxis.categoryNames = [str(row["label"]) for row in rows]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = "Helvetica"
    for index, colour in enumerate((MET, LATE, MISSED)):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    return renderSVG.drawToString(drawing)


def severity_chart(counts: dict[str, int], labels: dict[str, str], width: int = 640) -> str:
    """Incidents by severity (counts), one bar each."""
    if not any(counts.values()):
        return ""
    names = list(counts)
    height = 40 + 30 * len(names)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 150, 20, width - 180, height - 40
    chart.data = [[counts[name] for name in names]]
    chart.categoryAxis.categoryNames = [str(labels.get(name, name)) for name in names]
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.reverseDirection = True
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1f4f99")
    drawing.add(chart)
    return renderSVG.drawToString(drawing)
