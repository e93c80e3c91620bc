"""Audit report: deadline compliance for an incident or a period, and accountability (C21)."""
from audit.models import Commendation, Finding, FindingStatus
from briefings.layout import BodyText, DataTable, Heading, OfficialDocument

from .common import (Request, Sections, choice, headline, is_late, is_missed, letterhead,
                     period_text, recorded_late_text, say, short_time)
from .facts import incident_facts, period_deadlines
from .parts import deadline_table
from .summary import compliance_sentence


def build(request: Request) -> OfficialDocument:
    if request.incident is not None:
        deadlines = incident_facts(request.incident.pk).deadlines
        scope = say("“%s”网络舆情", "the online incident “%s”") % request.incident.title
        title = say("关于“%s”网络舆情处置时限履行情况的审计报告",
                    "Audit of deadline compliance: “%s”") % headline(request.incident.title)
    else:
        deadlines = period_deadlines(request.period_from, request.period_to)
        period = period_text(request.period_from, request.period_to)
        scope = say("%s发现的网络舆情", "online incidents discovered from %s") % period
        title = say("%s网络舆情处置时限履行情况审计报告", "Audit of deadline compliance, %s") % period
    many = request.incident is None
    sections = Sections()
    body = [
        BodyText(say("根据预案C21关于责任追究的规定，对%s的报告和处置时限履行情况进行了审计，情况如下。",
                     "Under clause C21 (accountability) we audited the reporting and handling "
                     "deadlines of %s.") % scope),
        Heading(sections.next(say("总体情况", "Overview"))),
        BodyText(compliance_sentence(deadlines) + rate_sentence(deadlines)),
    ]
    if deadlines:
        body += [Heading(sections.next(say("时限明细", "Every deadline"))),
                 deadline_table(deadlines, request.now, say("表1  时限履行明细", "Table 1  Deadlines"),
                                with_incident=many)]
    escalated = [d for d in deadlines if _escalation(d) is not None]
    body.append(Heading(sections.next(say("超时升级情况", "Escalations"))))
    body += [escalation_table(escalated, with_incident=many)] if escalated else [
        BodyText(say("未发生超时升级。", "No deadline was escalated."))]
    body.append(Heading(sections.next(say("问责认定", "Accountability findings"))))
    body += [BodyText(text) for text in findings(deadlines)]
    incident_ids = [request.incident.pk] if request.incident is not None else sorted(
        {d.incident_id for d in deadlines})
    body += [BodyText(text) for text in decided_findings(incident_ids)]
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=title,
        document_number=request.document_number,
        recipients=request.template.recipient_list,
        body=body,
        date=request.day,
        copies_to=request.template.copies_to_list,
    )


def _escalation(deadline):
    try:
        return deadline.escalation
    except deadline._meta.model.escalation.RelatedObjectDoesNotExist:
        return None


def rate_sentence(deadlines: list) -> str:
    due = [d for d in deadlines if d.met_at is not None or is_missed(d)]
    if not due:
        return ""
    on_time = sum(1 for d in due if d.met_at is not None and not is_late(d))
    return say("按时履行率%s%%。", " On-time rate: %s%%.") % round(100 * on_time / len(due))


def escalation_table(deadlines: list, with_incident: bool) -> DataTable:
    rows = []
    for deadline in deadlines:
        escalation = _escalation(deadline)
        notices = list(escalation.notices.all())
        levels = say("；", "; ").join(_notice_text(notice) for notice in notices) or "—"
        acknowledged = "—"
        if escalation.acknowledged_at:
            who = escalation.acknowledged_by
            acknowledged = f"{who.get_username() if who else ''} {short_time(escalation.acknowledged_at)}"
            if who is not None and hasattr(who, "person"):
                acknowledged = f"{who.person.name} {short_time(escalation.acknowledged_at)}"
        row = [choice(deadline.kind, deadline.get_kind_display()), short_time(escalation.started_at),
               levels, choice(escalation.state, escalation.get_state_display()), acknowledged]
        rows.append([f"#{deadline.incident_id}", *row] if with_incident else row)
    header = [say("时限事项", "Obligation"), say("升级开始", "Started"),
              say("已通知级别及人员", "Levels reached"), say("状态", "State"),
              say("确认人及时间", "Acknowledged")]
    weights = [1.3, 1.3, 2.4, 0.9, 1.4]
    if with_incident:
        header, weights = [say("事件", "Incident"), *header], [0.8, *weights]
    return DataTable(header=header, rows=rows, column_weights=weights,
                     caption=say("表2  超时升级", "Table 2  Escalations"))


def _notice_text(notice) -> str:
    names = say("、", ", ").join(person.name for person in notice.recipients.all())
    text = f"L{notice.level} {choice(notice.audience, notice.get_audience_display())}"
    return text + (say("（%s）", " (%s)") % names if names else "")


def findings(deadlines: list) -> list[str]:
    """C21 from the deadline rows: 迟报 = met late (a breach the sweep recorded stays one, even
    when the step states an earlier time: 补录), 漏报 = breached and never met; and 补录 within
    the window but recorded after it, which only the statement puts in time."""
    texts = []
    for label, rows, explain in (
        (say("迟报", "Late reports"), [d for d in deadlines if is_late(d)], _lateness),
        (say("漏报", "Missed reports"), [d for d in deadlines if is_missed(d)],
         lambda d: say("至今未履行", "never done")),
        (say("补录", "Recorded late"),
         [d for d in deadlines if d.recorded_late and not is_late(d)], recorded_late_text),
    ):
        if not rows:
            texts.append(say("%s：未发现。", "%s: none found.") % label)
            continue
        items = [say("事件#%(i)s %(k)s（%(c)s，截止%(due)s，%(x)s，责任单位%(u)s%(p)s）",
                     "incident #%(i)s %(k)s (%(c)s, due %(due)s, %(x)s, owed by %(u)s%(p)s)") % {
            "i": d.incident_id, "k": choice(d.kind, d.get_kind_display()), "c": d.clause,
            "due": short_time(d.due_at), "x": explain(d), "u": d.owed_by_unit.name,
            "p": f" {d.owed_by_person.name}" if d.owed_by_person else ""} for d in rows]
        texts.append(say("%(l)s%(n)s项：%(items)s。", "%(l)s (%(n)s): %(items)s.") % {
            "l": label, "n": len(rows), "items": say("；", "; ").join(items)})
    return texts


def decided_findings(incident_ids: list[int]) -> list[str]:
    """C21 as the auditor decided it (audit.Finding): the confirmed findings of every kind —
    false (谎报) and concealed (瞒报) reports included — with who confirmed them and why, how
    many still wait for a decision, and the commendations."""
    rows = Finding.objects.filter(incident_id__in=incident_ids).select_related(
        "unit", "person", "decided_by__person").order_by("incident_id", "occurred_at", "id")
    confirmed = [f for f in rows if f.status == FindingStatus.CONFIRMED]
    waiting = sum(1 for f in rows if f.status == FindingStatus.OPEN)
    if confirmed:
        items = [say("%(kind)s（事件#%(i)s，%(summary)s%(owed)s；认定人%(who)s：%(why)s）",
                     "%(kind)s (incident #%(i)s, %(summary)s%(owed)s; confirmed by "
                     "%(who)s: %(why)s)") % {
            "kind": choice(f.kind, f.get_kind_display()), "i": f.incident_id,
            "summary": f.summary, "owed": _owed_by(f), "why": f.decision_reason,
            "who": _name(f.decided_by)} for f in confirmed]
        texts = [say("经审计确认的问责认定%(n)s项：%(items)s。",
                     "Findings confirmed by the audit (%(n)s): %(items)s.") % {
            "n": len(confirmed), "items": say("；", "; ").join(items)}]
    else:
        texts = [say("经审计确认的问责认定：暂无。", "Findings confirmed by the audit: none.")]
    if waiting:
        texts.append(say("另有%s项待审计认定。", "%s more await the auditor's decision.") % waiting)
    praise = Commendation.objects.filter(incident_id__in=incident_ids).select_related("unit")
    texts += [say("表扬：%(u)s，%(why)s。", "Commended: %(u)s, %(why)s.") % {
        "u": c.unit.name, "why": c.reason} for c in praise]
    return texts


def _owed_by(finding) -> str:
    """The responsible unit and person, unless the finding's own words already name them."""
    if finding.unit.name in finding.summary:
        return ""
    person = f" {finding.person.name}" if finding.person else ""
    return say("，责任单位%s", ", owed by %s") % (finding.unit.name + person)


def _name(user) -> str:
    if user is None:
        return "—"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _lateness(deadline) -> str:
    if deadline.recorded_late:
        return recorded_late_text(deadline)
    return say("迟%s分钟", "%s min late") % deadline.minutes_late
