"""Shared steps for the incident tests: an incident detected through the action path."""
from datetime import timedelta

from django.utils import timezone

from incidents import actions
from incidents.models import Channel, Deadline, Event
from tests.factories import incident_kwargs


def detect(org, **overrides):
    return actions.detect_incident(org.duty.user, **incident_kwargs(**overrides))


def report(org, incident, channel=Channel.PHONE, **step):
    return actions.report_incident(
        incident, org.duty.user,
        actions.Step(channel=channel, recipient="舆情办 赵干事", note="电话报告", **step))


def classify(org, incident, severity="general", category="inquiry", **kwargs):
    return actions.classify_incident(incident, org.staff.user, category=category,
                                     severity=severity, **kwargs)


def deadline(incident, kind, sequence=1):
    return Deadline.objects.get(incident=incident, kind=kind, sequence=sequence)


def events(incident, event):
    return list(incident.timeline.filter(event=event))


def breaches(incident):
    return events(incident, Event.DEADLINE_BREACHED)


def minutes(n):
    return timedelta(minutes=n)


def now():
    return timezone.now()
