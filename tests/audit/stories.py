"""Constructed histories for the audit tests, at fixed times (time-machine)."""
from datetime import UTC, datetime, timedelta

import time_machine

from incidents import actions
from incidents.models import Channel
from tests.factories import incident_kwargs
from tests.support.responding import answer_approved

T = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def at(moment):
    return time_machine.travel(moment, tick=False)


def minutes(n):
    return timedelta(minutes=n)


def detect(org, when=T, **overrides):
    with at(when):
        return actions.detect_incident(org.duty.user,
                                       **incident_kwargs(discovered_at=when, **overrides))


def report(org, incident, when, **step):
    with at(when):
        return actions.report_incident(
            incident, org.duty.user,
            actions.Step(channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话报告",
                         **step))


def close(org, incident, when):
    """Classified general, responded and summarised, all at `when` (a clean history)."""
    with at(when):
        incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                             severity="general")
        answer_approved(org, incident)  # C10a: the approved unified reply comes first
        incident = actions.respond_incident(incident, org.staff.user, actions.Step(),
                                            response="已答复网民")
        return actions.file_summary(incident, org.staff.user, actions.Step(note="书面总结"))
