"""网络舆情通报: the office's bulletin for a period (C18): counts, overdue items, charts, list."""
from collections import Counter
from datetime import timedelta

from briefings.charts import bar_chart, trend_chart
from briefings.layout import GB_T_9704, BodyText, DataTable, Figure, Heading, OfficialDocument
from django.utils import timezone

from incidents.models import Category, Severity, State

from .common import (Request, Sections, choice, deadline_outcome, is_english, is_late,
                     letterhead, period_text, say, short_time)
from .facts import period_deadlines, period_incidents
from .parts import whole_number_axis

MAX_TREND_LABELS = 10
CHART_WIDTH = GB_T_9704.text_width * 0.95


def build(request: Request) -> OfficialDocument:
    incidents = period_incidents(request.period_from, request.period_to)
    period = period_text(request.period_from, request.period_to)
    body = [BodyText(overview(incidents, period))]
    if incidents:
        body += period_sections(incidents, request)
    else:
        body.append(BodyText(say("请各单位继续落实24小时监测值守，发现舆情按预案时限及时报告。",
                                 "Every unit keeps 24-hour monitoring and reports within the "
                                 "plan's time limits.")))
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=say("关于%s网络舆情情况的通报", "Bulletin on online public opinion, %s") % period,
        document_number=request.document_number,
        recipients=request.template.bulletin_recipient_list,
        body=body,
        date=request.day,
        copies_to=request.template.copies_to_list,
    )


def period_sections(incidents: list, request: Request) -> list:
    deadlines = period_deadlines(request.period_from, request.period_to)
    sections = Sections()
    body = [Heading(sections.next(say("总体情况", "Overview"))),
            *severity_blocks(incidents),
            *trend_blocks(incidents, request),
            Heading(sections.next(say("分类情况", "By category, unit and state"))),
            BodyText(breakdown_sentence(incidents)),
            *breakdown_tables(incidents)]
    # Overdue and late as DeadlineQuerySet defines them: still owed past due; done late.
    overdue = [d for d in deadlines if d.is_overdue(request.now)]
    late = [d for d in deadlines if is_late(d)]
    if overdue or late:
        body += [Heading(sections.next(say("逾期事项", "Overdue items"))),
                 BodyText(say("本期逾期未履行时限%(o)s项，逾期履行%(l)s项。",
                              "%(o)s deadlines are overdue and not met; %(l)s were met late.")
                          % {"o": len(overdue), "l": len(late)}),
                 overdue_table(overdue + late, request.now)]
    else:
        body.append(BodyText(say("本期各项报告和处置时限均按时履行。",
                                 "Every deadline of the period was met on time.")))
    return body + [
        Heading(sections.next(say("事件清单", "Incidents"))), incident_table(incidents),
        Heading(sections.next(say("工作要求", "What is asked"))),
        BodyText(say("各单位要落实24小时监测值守，发现舆情按预案时限及时报告；对逾期事项的责任单位，"
                     "舆情办将跟踪督办，有关情况纳入年度考核。",
                     "Every unit keeps 24-hour monitoring and reports within the plan's time "
                     "limits; the office will chase the units with overdue items."))]


def overview(incidents: list, period: str) -> str:
    if not incidents:
        return say("%s，未发现网络舆情。", "No online public-opinion incident was found from %s.") % period
    counts = Counter(incident.severity for incident in incidents)
    levels = [(choice(value, label), counts.get(value, 0)) for value, label in reversed(Severity.choices)]
    if counts.get(""):
        levels.append((say("未定级", "not yet classified"), counts[""]))
    parts = [say("%(l)s%(n)s起", "%(l)s: %(n)s") % {"l": label, "n": count} for label, count in levels]
    return say("%(p)s，共发现网络舆情%(n)s起，其中%(parts)s。",
               "From %(p)s, %(n)s incidents were found (%(parts)s)." if len(incidents) > 1 else
               "From %(p)s, %(n)s incident was found (%(parts)s).") % {
        "p": period, "n": len(incidents), "parts": say("、", "; ").join(parts)}


def severity_blocks(incidents: list) -> list:
    """C18: counts by severity, as one compact table (levels across) and as bars."""
    counts = Counter(incident.severity for incident in incidents)
    levels = [(value, choice(value, label)) for value, label in reversed(Severity.choices)]
    levels.append(("", say("未定级", "Not classified")))
    total = len(incidents)
    table = DataTable(
        header=[say("级别", "Severity"), *[label for _, label in levels], say("合计", "Total")],
        rows=[[say("数量", "Count"), *[str(counts.get(value, 0)) for value, _ in levels], str(total)],
              [say("占比", "Share"), *[_share(counts.get(value, 0), total) for value, _ in levels],
               "100%"]],
        caption=say("表1  按级别统计", "Table 1  By severity"))
    chart = bar_chart([label for _, label in levels], [counts.get(value, 0) for value, _ in levels],
                      width=CHART_WIDTH)
    chart = whole_number_axis(chart, max(counts.values()))
    return [table, Figure(chart, caption=say("图1  各级别舆情数量", "Figure 1  Incidents by severity"))]


def trend_blocks(incidents: list, request: Request) -> list:
    days = (request.period_to - request.period_from).days + 1
    if days < 2:
        return []
    per_day = Counter(timezone.localdate(incident.discovered_at) for incident in incidents)
    dates = [request.period_from + timedelta(days=offset) for offset in range(days)]
    step = max(1, -(-days // MAX_TREND_LABELS))
    labels = [f"{day.month}/{day.day}" if index % step == 0 else "" for index, day in enumerate(dates)]
    values = [per_day.get(d, 0) for d in dates]
    chart = whole_number_axis(trend_chart(labels, {say("每日发现", "Found per day"): values},
                                          width=CHART_WIDTH), max(values))
    return [Figure(chart, caption=say("图2  每日发现舆情数量", "Figure 2  Incidents found per day"))]


def breakdown_sentence(incidents: list) -> str:
    categories = Counter(choice(i.category, Category(i.category).label if i.category else "")
                         for i in incidents).most_common()
    units = Counter(i.owner_unit.name for i in incidents).most_common(3)
    return say("从内容类别看，%(c)s；从责任单位看，%(u)s。",
               "By category: %(c)s. By owner unit: %(u)s.") % {
        "c": say("，", "; ").join(say("%s%s起", "%s %s") % pair for pair in categories),
        "u": say("，", "; ").join(say("%s%s起", "%s %s") % pair for pair in units)}


def breakdown_tables(incidents: list) -> list:
    tables = []
    for number, (name, values) in enumerate((
        (say("内容类别", "Category"),
         [(choice(i.category, Category(i.category).label if i.category else "")) for i in incidents]),
        (say("责任单位", "Owner unit"), [i.owner_unit.name for i in incidents]),
        (say("处置状态", "State"), [choice(i.state, State(i.state).label) for i in incidents]),
    ), start=2):
        counts = Counter(values).most_common()
        tables.append(DataTable(
            header=[name, say("数量", "Count"), say("占比", "Share")],
            rows=[[value, str(count), _share(count, len(incidents))] for value, count in counts],
            column_weights=[3, 1, 1],
            caption=say("表%(n)s  按%(name)s统计", "Table %(n)s  By %(name)s") % {
                "n": number, "name": name if not is_english() else name.lower()}))
    return tables


def overdue_table(deadlines: list, now) -> DataTable:
    rows = [[f"#{d.incident_id}", d.incident.title, choice(d.kind, d.get_kind_display()),
             d.owed_by_unit.name, short_time(d.due_at), deadline_outcome(d, now)]
            for d in deadlines]
    return DataTable(
        header=[say("事件", "No."), say("标题", "Title"), say("时限事项", "Obligation"),
                say("责任单位", "Owed by"), say("截止时间", "Due"), say("情况", "Outcome")],
        rows=rows, column_weights=[0.8, 2.2, 1.3, 1.3, 1.45, 1.8],
        caption=say("表5  逾期事项", "Table 5  Overdue items"))


def incident_table(incidents: list) -> DataTable:
    rows = [[f"#{i.pk}", short_time(i.discovered_at), i.title, i.platform,
             choice(i.severity, Severity(i.severity).label if i.severity else ""),
             choice(i.state, State(i.state).label)] for i in incidents]
    return DataTable(
        header=[say("编号", "No."), say("发现时间", "Found"), say("标题", "Title"),
                say("平台", "Platform"), say("级别", "Severity"), say("状态", "State")],
        rows=rows, column_weights=[0.8, 1.45, 3, 1, 1, 1],
        caption=say("表6  本期舆情清单", "Table 6  Incidents of the period"))


def _share(count: int, total: int) -> str:
    return f"{round(100 * count / total)}%" if total else "—"
