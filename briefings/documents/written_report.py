"""书面报告: the written report on one incident (C02), sent up to the leadership group."""
from briefings.layout import BodyText, Heading, OfficialDocument

from .common import (Request, Sections, choice, headline, is_english, letterhead, local, say,
                     signer)
from .facts import MEASURE_EVENTS, IncidentFacts, incident_facts
from .parts import deadline_table, discovery_sentence, metrics_blocks, step_paragraphs

CATEGORY_HANDLING = {
    # C10a–d: what the category asks of the office next.
    "inquiry": ("由责任单位核实情况、拟定答复意见，经部门负责人审核后统一答复；不能即时答复的，当日给出处理意见，"
                "办结当日反馈处理结果。",
                "The owner unit verifies the facts and drafts one reply approved by its head; where no "
                "immediate reply is possible, it gives its handling opinion the same day and the result "
                "on the day handling completes."),
    "hype": ("及时发布事实真相和处置情况；发布后仍持续炒作或已造成严重后果的，移交纪检监察、执法部门处理。",
             "Publish the facts and the handling; if the hype goes on or has done serious harm, refer "
             "it to discipline and law-enforcement bodies."),
    "fabrication": ("及时澄清事实真相，涉嫌违法犯罪的移交监察、司法机关依法处理。",
                    "Clarify the facts and refer suspected offences to supervisory and judicial "
                    "bodies."),
    "constructive": ("吸纳合理意见建议，并按要求答复网民。",
                     "Adopt the reasonable suggestions and reply to the netizen as required."),
}


def build(request: Request) -> OfficialDocument:
    facts = incident_facts(request.incident.pk)
    incident = facts.incident
    sections = Sections()
    body = [
        BodyText(discovery_sentence(incident)),
        Heading(sections.next(say("基本情况", "What happened"))),
        BodyText(incident.summary),
        BodyText(source_sentence(incident)),
        BodyText(times_sentence(incident)),
        Heading(sections.next(say("研判定级", "Classification and severity"))),
        BodyText(classification_sentence(incident)),
        Heading(sections.next(say("传播态势", "Spread"))),
        *metrics_blocks(facts.metrics),
        Heading(sections.next(say("已采取的处置措施", "Measures taken"))),
        *(step_paragraphs(facts.entries(MEASURE_EVENTS))
          or [BodyText(say("暂无处置记录。", "No measures recorded yet."))]),
    ]
    if facts.deadlines:
        body += [Heading(sections.next(say("时限履行情况", "Deadlines"))),
                 deadline_table(facts.deadlines, request.now,
                                say("表%s  报告与处置时限", "Table %s  Reporting deadlines")
                                % (2 if facts.metrics else 1))]  # 表1 is the spread's, if any
    body += [Heading(sections.next(say("下一步工作", "Next steps"))),
             *[BodyText(text) for text in next_steps(facts, request.now)],
             BodyText(say("特此报告。", "Submitted for your attention."))]
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=say("关于“%s”网络舆情的报告", "Report on the online incident “%s”")
        % headline(incident.title),
        document_number=request.document_number,
        recipients=request.template.recipient_list,
        signer=signer(request.template, incident),
        body=body,
        date=request.day,
        note=contact_note(incident),
        copies_to=request.template.copies_to_list,
    )


def source_sentence(incident) -> str:
    links = [link for link in incident.source_links if link] if isinstance(
        incident.source_links, list) else []
    if is_english():
        text = f"Source: {incident.platform}, original post {incident.source_url}"
        return text + (f"; other links: {'; '.join(map(str, links))}." if links else ".")
    text = f"信息来源：{incident.platform}，原帖链接：{incident.source_url}"
    return text + (f"；其他链接：{'；'.join(map(str, links))}。" if links else "。")


def times_sentence(incident) -> str:
    parts = [(say("发现时间", "Discovered"), local(incident.discovered_at)),
             (say("报告时间", "Reported"), local(incident.reported_at))]
    if incident.verbal_reported_at:
        parts.append((say("口头汇报时间", "Verbal report"), local(incident.verbal_reported_at)))
    if is_english():
        return "; ".join(f"{label}: {value}" for label, value in parts) + "."
    return "；".join(f"{label}：{value}" for label, value in parts) + "。"


def classification_sentence(incident) -> str:
    if not incident.severity:
        return say("尚未研判定级。", "Not yet classified.")
    values = [
        (say("内容类别", "Category"), choice(incident.category, incident.get_category_display())),
        (say("舆情级别", "Severity"), choice(incident.severity, incident.get_severity_display())),
        (say("定级依据", "Decided by"), incident.severity_rule or "—"),
        (say("所处阶段", "Stage"), choice(incident.stage, incident.get_stage_display())),
        (say("紧急情形", "Urgent"), say("是", "yes") if incident.urgent else say("否", "no")),
    ]
    if is_english():
        return "; ".join(f"{label}: {value}" for label, value in values) + "."
    return "；".join(f"{label}：{value}" for label, value in values) + "。"


def next_steps(facts: IncidentFacts, now) -> list[str]:
    incident = facts.incident
    steps = []
    for deadline in facts.deadlines:
        if deadline.state == deadline.State.PENDING:
            steps.append(say("按预案%(clause)s要求，于%(due)s前完成%(kind)s。",
                             "Under clause %(clause)s, complete the %(kind)s by %(due)s.") % {
                "clause": deadline.clause, "due": local(deadline.due_at),
                "kind": choice(deadline.kind, deadline.get_kind_display())})
    handling = CATEGORY_HANDLING.get(incident.category)
    if handling:
        steps.append(handling[1] if is_english() else handling[0])
    if incident.is_major:
        steps.append(say("领导小组召开紧急会议，由新闻发布组统一口径，指定新闻发言人统一对外发布信息，"
                         "其他单位和个人不得擅自发布（C14、C17）。",
                         "The leadership group meets at once; the press group sets one wording and only "
                         "the designated spokesperson speaks to media (C14, C17)."))
    if incident.is_open:
        steps.append(say("持续跟踪监测舆情动态，有新情况及时续报（C05、C22）。",
                         "Keep monitoring and send follow-up reports on new developments (C05, C22)."))
    return steps


def contact_note(incident) -> str:
    person = incident.discovered_by
    if person is None:
        return ""
    phone = person.phone or person.unit.phone
    if is_english():
        return f"Contact: {person.name}, {person.unit.name}" + (f", tel. {phone}" if phone else "")
    return f"联系人：{person.unit.name} {person.name}" + (f"，电话：{phone}" if phone else "")
