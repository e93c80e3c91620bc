"""The office's two steps of the major procedure (C14): it reports at once to the leadership
group, and it orders the involved unit to investigate. Both are obligations a major incident
opens (responses.press.start_major_procedure), each met by its verb here, on the plan's
window; breached, they escalate like any other deadline."""
from django.utils.translation import gettext as _

from incidents.actions.step import Step, authorise, clause_for, step_context
from incidents.models import Event, Incident
from opinion_ops.errors import InvalidInput
from organisation.models import Unit
from plans.models import DeadlineKind


def report_to_leadership(incident: Incident, actor, *, step: Step,
                         expected_revision: int | None = None) -> Incident:
    """C14: the office reports the major incident to the leadership group (to whom, by which
    channel, what), which meets the obligation to report at once."""
    authorise(actor, "leadership-report", incident)  # office-only in the registry: 403 before 400
    if not step.recipient.strip():
        raise InvalidInput({"recipient": _("请填写报告对象（领导小组成员）")})
    if not step.note.strip():
        raise InvalidInput({"note": _("请填写报告内容摘要")})
    with step_context(incident, actor, "leadership-report", step,
                      expected_revision=expected_revision) as s:
        s.record(Event.LEADERSHIP_REPORT,
                 clause=clause_for(s.incident, DeadlineKind.OFFICE_REPORT) or "C14")
        s.meet(DeadlineKind.OFFICE_REPORT)
    return s.incident


def order_investigation(incident: Incident, actor, *, unit: Unit | None, step: Step,
                        expected_revision: int | None = None) -> Incident:
    """C14: the office orders the involved unit (by default the owner unit) to investigate
    and says what is to be established; this meets the obligation to order it."""
    authorise(actor, "investigation-order", incident)
    if not step.note.strip():
        raise InvalidInput({"note": _("请填写调查事项")})
    with step_context(incident, actor, "investigation-order", step,
                      expected_revision=expected_revision) as s:
        involved = unit or s.incident.owner_unit
        s.record(Event.INVESTIGATION_ORDERED, recipient=involved.name,
                 clause=clause_for(s.incident, DeadlineKind.INVESTIGATION_ORDER) or "C14",
                 data={"unit": involved.pk})
        s.meet(DeadlineKind.INVESTIGATION_ORDER)
    return s.incident

