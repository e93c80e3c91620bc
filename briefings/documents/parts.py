"""Blocks several document kinds print: the spread table and chart, deadline and step lists."""
from briefings.charts import trend_chart
from briefings.layout import GB_T_9704, BodyText, DataTable, Figure

from .common import choice, deadline_outcome, is_english, local, say, short_time
from .facts import step_sentence

MAX_METRIC_ROWS = 12
MAX_CHART_LABELS = 8


def metrics_blocks(metrics: list, table_number: int = 1) -> list:
    """C07: the spread over time as a table, and as a trend chart from two snapshots on."""
    if not metrics:
        return [BodyText(say("暂无传播数据记录。", "No spread figures have been recorded."))]
    shown = metrics[-MAX_METRIC_ROWS:]
    caption = say("表%s  传播数据", "Table %s  Spread figures") % table_number
    if len(shown) < len(metrics):
        caption += say("（共%(n)s次记录，列出最近%(m)s次）", " (latest %(m)s of %(n)s)") % {
            "n": len(metrics), "m": len(shown)}
    rows = [[short_time(m.recorded_at), choice(m.stage, m.get_stage_display()),
             f"{m.clicks:,}", f"{m.comments:,}", f"{m.follow_up_posts:,}",
             str(m.mainstream_sites), "—" if m.heat_index is None else f"{m.heat_index}"]
            for m in shown]
    header = [say("记录时间", "Time"), say("阶段", "Stage"), say("点击量", "Clicks"),
              say("评论数", "Comments"), say("跟帖数", "Posts"),
              say("主流网站转载", "Sites"), say("热度指数", "Heat")]
    weights = [1.45, 1.3, 0.95, 1.25, 0.85, 0.85, 0.8] if is_english() else [1.6, 1, 1, 1, 1, 1.2, 1.1]
    blocks = [DataTable(header=header, rows=rows, column_weights=weights,
                        caption=caption)]
    if len(metrics) >= 2:
        blocks.append(Figure(_metrics_chart(metrics),
                             caption=say("图%s  传播趋势", "Figure %s  Spread trend") % table_number))
    return blocks


def _metrics_chart(metrics: list):
    step = max(1, -(-len(metrics) // MAX_CHART_LABELS))
    points = [short_time(m.recorded_at) if index % step == 0 else ""
              for index, m in enumerate(metrics)]
    series = {say("点击量", "Clicks"): [m.clicks for m in metrics],
              say("评论数", "Comments"): [m.comments for m in metrics],
              say("跟帖数", "Follow-ups"): [m.follow_up_posts for m in metrics]}
    return whole_number_axis(trend_chart(points, series, width=GB_T_9704.text_width * 0.95),
                             max(max(m.clicks, m.comments, m.follow_up_posts) for m in metrics))


def whole_number_axis(drawing, largest: int):
    """Counts are whole: no 0.5 incidents on a small chart's value axis."""
    if largest <= 5:
        for shape in drawing.contents:
            if hasattr(shape, "valueAxis"):
                shape.valueAxis.valueStep = 1
                shape.valueAxis.valueMax = max(1, largest)
    return drawing


def deadline_table(deadlines: list, now, caption: str, with_incident: bool = False) -> DataTable:
    """Every deadline with its clause, due time, fulfilment and outcome (early/late minutes)."""
    header = [say("时限事项", "Obligation"), say("条款", "Clause"), say("截止时间", "Due"),
              say("履行时间", "Done"), say("结果", "Outcome")]
    weights = [1.6, 0.7, 1.4, 1.4, 1.9]
    rows = []
    for deadline in deadlines:
        kind = choice(deadline.kind, deadline.get_kind_display())
        if deadline.sequence > 1:
            kind += say(f"（第{deadline.sequence}次）", f" (#{deadline.sequence})")
        row = [kind, deadline.clause, short_time(deadline.due_at),
               short_time(deadline.met_at), deadline_outcome(deadline, now)]
        if with_incident:
            row.insert(0, f"#{deadline.incident_id}")
        rows.append(row)
    if with_incident:
        header.insert(0, say("事件", "Incident"))
        weights.insert(0, 0.8)
    return DataTable(header=header, rows=rows, column_weights=weights, caption=caption)


def step_paragraphs(entries: list) -> list:
    return [BodyText(step_sentence(entry)) for entry in entries]


def discovery_sentence(incident) -> str:
    finder = incident.discovered_by
    who = f"{finder.unit.name}{finder.name}" if finder else say("监测人员", "the monitors")
    title = " ".join(incident.title.split())
    if is_english():
        return (f"At {local(incident.discovered_at)}, {who} found “{title}” on "
                f"{incident.platform}. We report as follows.")
    return f"{local(incident.discovered_at)}，{who}在{incident.platform}监测发现“{title}”舆情，现将有关情况报告如下。"
