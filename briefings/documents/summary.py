"""总结报告: the post-incident written summary (C19), due within the plan's days of subsiding."""
from briefings.layout import BodyText, DataTable, Heading, OfficialDocument

from plans.models import DeadlineKind
from incidents.models import Event

from .common import (Request, Sections, choice, event_label, headline, is_english, is_late,
                     is_missed, letterhead, local, recorded_late_text, say, short_time, signer)
from .facts import IncidentFacts, incident_facts
from .parts import deadline_table, metrics_blocks
from .written_report import classification_sentence, contact_note


def build(request: Request) -> OfficialDocument:
    facts = incident_facts(request.incident.pk)
    incident = facts.incident
    sections = Sections()
    body = [
        BodyText(opening(facts)),
        Heading(sections.next(say("事件概况", "The incident"))),
        BodyText(incident.summary),
        BodyText(classification_sentence(incident)),
        BodyText(ownership_sentence(incident)),
        Heading(sections.next(say("传播态势", "Spread"))),
        *metrics_blocks(facts.metrics),
        Heading(sections.next(say("处置经过", "Course of handling"))),
        timeline_table(facts.timeline, number=2 if facts.metrics else 1),
        Heading(sections.next(say("时限履行情况", "Deadlines met or missed"))),
        BodyText(compliance_sentence(facts.deadlines)),
    ]
    if facts.deadlines:
        body.append(deadline_table(facts.deadlines, request.now,
                                   say("表%s  时限履行明细", "Table %s  Deadlines")
                                   % (3 if facts.metrics else 2)))
    body += [Heading(sections.next(say("回应发布情况", "Responses published"))),
             *response_paragraphs(facts),
             Heading(sections.next(say("经验教训", "Lessons"))),
             *[BodyText(text) for text in lessons(facts)],
             BodyText(say("特此报告。", "Submitted for your attention."))]
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=say("关于“%s”网络舆情处置情况的总结报告",
                  "Summary report on the handling of the online incident “%s”")
        % headline(incident.title),
        document_number=request.document_number,
        recipients=request.template.recipient_list,
        signer=signer(request.template, incident),
        body=body,
        date=request.day,
        note=contact_note(incident),
        copies_to=request.template.copies_to_list,
    )


def opening(facts: IncidentFacts) -> str:
    incident = facts.incident
    due = next((d for d in facts.deadlines if d.kind == DeadlineKind.SUMMARY), None)
    text = say("“%(t)s”网络舆情于%(d)s发现，", "The online incident “%(t)s” was discovered at %(d)s") % {
        "t": incident.title, "d": local(incident.discovered_at)}
    if incident.subsided_at:
        text += say("%s平息。", " and subsided at %s.") % local(incident.subsided_at)
    else:
        text += say("目前尚未平息。", " and has not yet subsided.")
    if due is not None:
        text += say("按照预案%(c)s“事件平息后三日内书面报告”的要求，现将处置情况总结报告如下（报送时限：%(due)s）。",
                    " Under clause %(c)s the written summary is due by %(due)s.") % {
            "c": due.clause, "due": local(due.due_at)}
    else:
        text += say("现将处置情况总结报告如下。", " This summarises its handling.")
    return text


def ownership_sentence(incident) -> str:
    return say("责任单位：%(u)s；责任领导：%(l)s；当前状态：%(s)s。",
               "Owner unit: %(u)s; accountable leader: %(l)s; state: %(s)s.") % {
        "u": incident.owner_unit.name, "l": incident.accountable_leader.name,
        "s": choice(incident.state, incident.get_state_display())}


def timeline_table(timeline: list, number: int = 2) -> DataTable:
    """The whole record (C24): every step with who, how, to whom and what; numbered after
    the spread's table (表1) when there is one."""
    rows = []
    for entry in timeline:
        detail = [entry.note]
        if entry.recipient:
            detail.insert(0, say("对象：", "to: ") + entry.recipient)
        for key, label in (("response", say("回应内容：", "response: ")),
                           ("findings", say("复盘结论：", "findings: "))):
            if (entry.data or {}).get(key):
                detail.append(label + str(entry.data[key]))
        how = "" if entry.channel == "system" else choice(entry.channel, entry.get_channel_display())
        rows.append([short_time(entry.occurred_at), event_label(entry),
                     entry.actor_name + (f"（{how}）" if how and not is_english() else
                                         f" ({how})" if how else ""),
                     ("；" if not is_english() else "; ").join(part for part in detail if part)])
    return DataTable(
        header=[say("时间", "Time"), say("事项", "Step"), say("操作人", "By"),
                say("说明", "Details")],
        rows=rows, column_weights=[1.4, 1.35, 1.25, 3.2],
        caption=say("表%(n)s  处置经过（共%(count)s条记录）", "Table %(n)s  The record (%(count)s entries)")
        % {"n": number, "count": len(timeline)})


def compliance_sentence(deadlines: list) -> str:
    on_time = sum(1 for d in deadlines if d.met_at is not None and not is_late(d))
    late = sum(1 for d in deadlines if is_late(d))
    missed = sum(1 for d in deadlines if is_missed(d))
    cancelled = sum(1 for d in deadlines if d.state == "cancelled")
    pending = len(deadlines) - on_time - late - missed - cancelled
    return say("共产生时限%(n)s项：按时履行%(ok)s项，逾期履行%(late)s项，未履行%(missed)s项，"
               "待履行%(p)s项，撤销%(c)s项。",
               "%(n)s deadlines: %(ok)s met on time, %(late)s met late, %(missed)s missed, "
               "%(p)s pending, %(c)s cancelled.") % {
        "n": len(deadlines), "ok": on_time, "late": late, "missed": missed, "p": pending,
        "c": cancelled}


def response_paragraphs(facts: IncidentFacts) -> list:
    responses = facts.entries([Event.RESPONDED])
    if not responses:
        return [BodyText(say("未登记对外回应。", "No public response was recorded."))]
    return [BodyText(say("%(at)s，%(who)s发布回应：%(text)s", "%(at)s, %(who)s published: %(text)s")
                     % {"at": local(entry.occurred_at), "who": entry.actor_name,
                        "text": (entry.data or {}).get("response") or entry.note})
            for entry in responses]


def lessons(facts: IncidentFacts) -> list[str]:
    texts = [(entry.data or {}).get("findings") for entry in facts.entries([Event.REVIEWED])]
    texts = [str(text) for text in texts if text]
    for deadline in facts.deadlines:
        kind = choice(deadline.kind, deadline.get_kind_display())
        if is_late(deadline) and deadline.recorded_late:
            texts.append(say("%(k)s%(x)s（%(c)s），责任单位%(u)s须说明补录原因。",
                             "The %(k)s: %(x)s (%(c)s); %(u)s is to account for the late "
                             "record.")
                         % {"k": kind, "x": recorded_late_text(deadline), "c": deadline.clause,
                            "u": deadline.owed_by_unit.name})
        elif is_late(deadline):
            texts.append(say("%(k)s逾期%(m)s分钟履行（%(c)s），责任单位%(u)s须查明原因、改进值守衔接。",
                             "The %(k)s was %(m)s minutes late (%(c)s); %(u)s is to find out why.")
                         % {"k": kind, "m": deadline.minutes_late, "c": deadline.clause,
                            "u": deadline.owed_by_unit.name})
        elif is_missed(deadline):
            texts.append(say("%(k)s未履行（%(c)s），责任单位%(u)s须说明情况。",
                             "The %(k)s was never done (%(c)s); %(u)s is to account for it.")
                         % {"k": kind, "c": deadline.clause, "u": deadline.owed_by_unit.name})
    if not texts:
        texts.append(say("各项报告和处置时限均按时履行，未发现迟报、漏报情形。",
                         "Every deadline was met on time; no late or missed reports."))
    return texts
