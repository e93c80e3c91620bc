"""续报: the n-th follow-up report (C05), with what changed since the last report."""
from briefings.layout import BodyText, Heading, OfficialDocument

from .common import Request, Sections, choice, headline, letterhead, local, say, signer
from .facts import MEASURE_EVENTS, incident_facts
from .parts import deadline_table, metrics_blocks, step_paragraphs
from .written_report import contact_note, next_steps


def follow_up_number(incident) -> int:
    """第N次续报: the follow-ups filed so far, plus one."""
    from incidents.models import Event
    return incident.timeline.filter(event=Event.FOLLOW_UP_REPORT).count() + 1


def build(request: Request) -> OfficialDocument:
    facts = incident_facts(request.incident.pk)
    incident = facts.incident
    number = request.follow_up_number or follow_up_number(incident)
    since = facts.last_report_at()
    sections = Sections()
    steps = facts.entries(MEASURE_EVENTS + ["metrics_recorded"], since=since)
    new_metrics = [m for m in facts.metrics if since is None or m.recorded_at > since]
    before = [m for m in facts.metrics if since is not None and m.recorded_at <= since]
    body = [
        BodyText(opening(incident, since)),
        Heading(sections.next(say("最新进展", "Developments"))),
        *(step_paragraphs(steps) or [BodyText(say("上次报告以来无新的处置记录。",
                                                  "Nothing new has been recorded since."))]),
        Heading(sections.next(say("传播态势变化", "Change in spread"))),
    ]
    if new_metrics:
        body.append(BodyText(change_sentence(before[-1] if before else None, new_metrics[-1])))
    body += metrics_blocks(new_metrics)
    open_deadlines = [d for d in facts.deadlines if d.is_unsettled]
    if open_deadlines:
        body += [Heading(sections.next(say("未完成的时限事项", "Open obligations"))),
                 deadline_table(open_deadlines, request.now,
                                say("表%s  未完成的时限事项", "Table %s  Open obligations")
                                % (2 if new_metrics else 1))]  # 表1 is the spread's, if any
    body += [Heading(sections.next(say("下一步工作", "Next steps"))),
             *[BodyText(text) for text in next_steps(facts, request.now)],
             BodyText(say("特此续报。", "Submitted as a follow-up."))]
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=say("关于“%(t)s”网络舆情的第%(n)s次续报",
                  "Follow-up report No. %(n)s on the online incident “%(t)s”") % {
            "t": headline(incident.title), "n": number},
        document_number=request.document_number,
        recipients=request.template.recipient_list,
        signer=signer(request.template, incident),
        body=body,
        date=request.day,
        note=contact_note(incident),
        copies_to=request.template.copies_to_list,
    )


def opening(incident, since) -> str:
    if since is None:
        return say("现将“%(t)s”网络舆情（%(d)s发现）最新进展续报如下。",
                   "This follows up the online incident “%(t)s” (discovered %(d)s).") % {
            "t": incident.title, "d": local(incident.discovered_at)}
    return say("现将“%(t)s”网络舆情自%(s)s上次报告以来的最新进展续报如下。",
               "This reports developments in “%(t)s” since the last report at %(s)s.") % {
        "t": incident.title, "s": local(since)}


def change_sentence(previous, latest) -> str:
    stage = choice(latest.stage, latest.get_stage_display())
    if previous is None:
        return say("截至%(at)s，点击量%(c)s，评论数%(m)s，主流网站转载%(s)s家，处于%(stage)s。",
                   "As of %(at)s: %(c)s clicks, %(m)s comments, %(s)s mainstream sites; "
                   "stage: %(stage)s.") % {
            "at": local(latest.recorded_at), "c": f"{latest.clicks:,}",
            "m": f"{latest.comments:,}", "s": latest.mainstream_sites, "stage": stage}
    return say("截至%(at)s，点击量由%(c0)s变为%(c)s（%(dc)s），评论数由%(m0)s变为%(m)s（%(dm)s），"
               "主流网站转载%(s)s家，处于%(stage)s。",
               "As of %(at)s clicks went from %(c0)s to %(c)s (%(dc)s), comments from %(m0)s to "
               "%(m)s (%(dm)s); %(s)s mainstream sites; stage: %(stage)s.") % {
        "at": local(latest.recorded_at), "c0": f"{previous.clicks:,}", "c": f"{latest.clicks:,}",
        "dc": _delta(latest.clicks - previous.clicks), "m0": f"{previous.comments:,}",
        "m": f"{latest.comments:,}", "dm": _delta(latest.comments - previous.comments),
        "s": latest.mainstream_sites, "stage": stage}


def _delta(value: int) -> str:
    return f"+{value:,}" if value >= 0 else f"{value:,}"
