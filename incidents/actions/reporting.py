"""Reporting: to the office (C01/C03), urgently by phone and in writing (C02), on to the
superior department (C04), and follow-ups until the incident subsides (C05)."""
from django.utils.translation import gettext as _

from opinion_ops import events
from opinion_ops.errors import InvalidInput
from plans.models import DeadlineKind

from ..models import Channel, Event, Incident
from .step import Step, StepContext, clause_for, person_of, step_context

REPORT_CHANNELS = (Channel.PHONE, Channel.WRITTEN, Channel.SYSTEM)


def report_incident(incident: Incident, actor, stated: Step, *,
                    expected_revision: int | None = None) -> Incident:
    """C01/C03: report to the leadership-group office. By phone it is also the verbal report
    of an urgent case (C02); in writing, also the written one."""
    if not stated.recipient:
        raise InvalidInput({"recipient": _("请填写报告对象")})
    if stated.channel not in REPORT_CHANNELS:
        raise InvalidInput({"channel": _("报告方式无效")})
    with step_context(incident, actor, "report", stated, expected_revision=expected_revision) as s:
        s.transition()
        s.record(Event.REPORTED, clause=clause_for(s.incident, DeadlineKind.REPORT))
        s.incident.reported_at = s.at
        s.meet(DeadlineKind.REPORT)
        if stated.channel == Channel.PHONE:
            _verbal_report_made(s)
        elif stated.channel == Channel.WRITTEN:
            s.meet(DeadlineKind.WRITTEN_REPORT)
        events.publish(events.INCIDENT_REPORTED, incident_id=s.incident.pk)  # C01
    return s.incident


def record_verbal_report(incident: Incident, actor, stated: Step, *,
                         expected_revision: int | None = None) -> Incident:
    """C02: a phone report was made (to whom, when, what); the written report must follow."""
    if not stated.recipient:
        raise InvalidInput({"recipient": _("请填写汇报对象")})
    if not stated.note:
        raise InvalidInput({"note": _("请填写汇报内容摘要")})
    with step_context(incident, actor, "verbal-report", stated,
              expected_revision=expected_revision) as s:
        s.record(Event.VERBAL_REPORT, channel=Channel.PHONE,
                 clause=clause_for(s.incident, DeadlineKind.VERBAL_REPORT))
        _verbal_report_made(s)
    return s.incident


def _verbal_report_made(s: StepContext) -> None:
    incident = s.incident
    if incident.verbal_reported_at is None:
        incident.verbal_reported_at = s.at
    s.meet(DeadlineKind.VERBAL_REPORT)
    if incident.urgent:  # opened once: a no-op when discovery already opened it
        person = person_of(s.actor) or incident.discovered_by
        s.open(DeadlineKind.WRITTEN_REPORT, start=s.at,
               owed_by_unit=person.unit if person else incident.owner_unit,
               owed_by_person=person)


def file_written_report(incident: Incident, actor, stated: Step, *,
                        expected_revision: int | None = None, briefing_id: int | None = None
                        ) -> Incident:
    """C02: the written report was sent (meets the written-report deadline)."""
    with step_context(incident, actor, "written-report", stated,
              expected_revision=expected_revision) as s:
        s.record(Event.WRITTEN_REPORT, channel=Channel.WRITTEN,
                 clause=clause_for(s.incident, DeadlineKind.WRITTEN_REPORT),
                 data={"briefing": briefing_id} if briefing_id else None)
        s.meet(DeadlineKind.WRITTEN_REPORT)
    return s.incident


FOLLOW_UP_PARTS = ("progress", "developments", "next_steps")  # 处置进展、新情况、下一步


def file_follow_up_report(incident: Incident, actor, stated: Step, *,
                          expected_revision: int | None = None, progress: str = "",
                          developments: str = "", next_steps: str = "") -> Incident:
    """C05: a follow-up report (续报) of the progress of handling, new developments and the
    next steps (kept apart on the record, printed so by the briefings); the next one falls due
    one interval later."""
    parts = {"progress": progress.strip(), "developments": developments.strip(),
             "next_steps": next_steps.strip()}
    with step_context(incident, actor, "follow-up", stated, expected_revision=expected_revision) as s:
        number = s.incident.timeline.filter(event=Event.FOLLOW_UP_REPORT).count() + 1
        s.record(Event.FOLLOW_UP_REPORT, clause=clause_for(s.incident, DeadlineKind.FOLLOW_UP),
                 data={"number": number, **{k: v for k, v in parts.items() if v}})
        s.meet(DeadlineKind.FOLLOW_UP)
        if s.incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists():
            s.open(DeadlineKind.FOLLOW_UP, start=s.at, owed_by_unit=s.incident.owner_unit,
                   repeat=True)
    return s.incident


def report_to_superior(incident: Incident, actor, stated: Step, *,
                       expected_revision: int | None = None) -> Incident:
    """C04: the dual report of a major incident to the superior department."""
    if not stated.recipient:
        raise InvalidInput({"recipient": _("请填写上级主管部门")})
    with step_context(incident, actor, "superior-report", stated,
              expected_revision=expected_revision) as s:
        s.record(Event.SUPERIOR_REPORT,
                 clause=clause_for(s.incident, DeadlineKind.SUPERIOR_REPORT))
        s.meet(DeadlineKind.SUPERIOR_REPORT)
    return s.incident
