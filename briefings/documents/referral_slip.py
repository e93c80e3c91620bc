"""网络舆情抄告单: the slip the office sends to the lead unit (C11, C12) — the incident, the
leader's instruction (批办意见), the lead and co-units, the reply's due time and its limit, and
what has been replied, extended and chased so far (C13). The slip the briefing names, else the
incident's latest."""
from briefings.layout import BodyText, DataTable, Heading, OfficialDocument
from referrals.models import Referral

from .common import Request, Sections, headline, letterhead, local, say, signer


def build(request: Request) -> OfficialDocument:
    incident = request.incident
    slips = Referral.objects.filter(incident=incident)
    if request.referral is not None:
        slips = slips.filter(pk=request.referral.pk)
    slip = (slips.select_related("lead_unit")
            .prefetch_related("co_units", "replies", "extensions", "supervisions")
            .order_by("-number").first())
    if slip is None:
        body = [BodyText(say("该事件尚未签发抄告单。", "No referral slip has been issued."))]
        recipients = []
    else:
        body, recipients = _slip_body(incident, slip), [slip.lead_unit.name]
    return OfficialDocument(
        letterhead=letterhead(request.template),
        title=say("网络舆情抄告单（“%(t)s”）", "Referral slip: “%(t)s”") % {
            "t": headline(incident.title)},
        document_number=request.document_number,
        urgency=say("紧急", "Urgent") if slip is not None and slip.urgent else "",
        recipients=recipients,
        signer=signer(request.template, incident),
        body=body,
        date=request.day,
        copies_to=[u.name for u in slip.co_units.all()] if slip is not None else [],
    )


def _slip_body(incident, slip: Referral) -> list:
    sections = Sections()
    co_units = "、".join(u.name for u in slip.co_units.all()) or say("无", "none")
    body = [
        Heading(sections.next(say("舆情内容", "The post"))),
        BodyText(say("%(d)s在%(p)s发现：%(s)s（原帖：%(u)s）",
                     "Found %(d)s on %(p)s: %(s)s (post: %(u)s)") % {
            "d": local(incident.discovered_at), "p": incident.platform,
            "s": incident.summary, "u": incident.source_url}),
        Heading(sections.next(say("领导批办意见", "Instruction"))),
        BodyText(slip.instruction),
        Heading(sections.next(say("承办要求", "What is asked"))),
        BodyText(say("请%(lead)s牵头（协办：%(co)s）调查核实、处置，于%(due)s前将办理情况及回复意见"
                     "以书面形式报送；答复网民最迟不超过%(limit)s。",
                     "%(lead)s leads (assisted by %(co)s): verify, handle and reply in writing "
                     "by %(due)s; the netizen is answered no later than %(limit)s.") % {
            "lead": slip.lead_unit.name, "co": co_units, "due": local(slip.due_at),
            "limit": local(slip.limit_at)}),
    ]
    rows = ([[local(r.submitted_at), say("书面答复", "Reply"), r.get_state_display(), r.body]
             for r in slip.replies.all()]
            + [[local(e.recorded_at), say("延期", "Extension"), local(e.until), e.reason]
               for e in slip.extensions.all()]
            + [[local(c.supervised_at), say("督办", "Chase"), c.get_channel_display(), c.note]
               for c in slip.supervisions.all()])
    if rows:
        body += [Heading(sections.next(say("办理记录", "Record"))),
                 DataTable(header=[say("时间", "Time"), say("事项", "Step"),
                                   say("状态/方式", "State"), say("内容", "Content")],
                           rows=sorted(rows), column_weights=[2, 1.2, 1.3, 4])]
    return body
