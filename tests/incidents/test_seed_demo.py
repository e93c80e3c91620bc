"""`seed_demo`: a believable office whose incidents show every state of the plan, made through
the actions, with one urgent case about to miss its verbal report."""
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from opinion_ops import demo
from incidents.models import Deadline, Escalation, Event, Incident, State, TimelineEntry
from plans.models import DeadlineKind
from organisation.models import Person, Unit
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_incidents_in_every_state():
    seed()
    states = set(Incident.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Incident.objects.count() >= 12
    assert Unit.objects.filter(kind=Unit.Kind.SUPERIOR, name="市委网信办").exists()


def test_c02_demo_has_urgent_incident_about_to_miss_verbal_report():
    seed()
    urgent = Incident.objects.get(title=demo.URGENT_TITLE)
    assert urgent.urgent and urgent.state == State.DETECTED
    verbal = urgent.deadlines.get(kind=DeadlineKind.VERBAL_REPORT)
    left = verbal.due_at - timezone.now()
    assert verbal.state == Deadline.State.PENDING and verbal.clause == "C02"
    assert timedelta(0) < left <= timedelta(minutes=2)


def test_c02_demo_urgent_incident_escalates_when_the_verbal_report_is_missed():
    seed()
    urgent = Incident.objects.get(title=demo.URGENT_TITLE)
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        sweep_all()
    verbal = urgent.deadlines.get(kind=DeadlineKind.VERBAL_REPORT)
    assert verbal.state == Deadline.State.BREACHED
    assert Escalation.objects.filter(deadline=verbal).exists()
    assert urgent.timeline.filter(event=Event.ESCALATED).exists()


def test_demo_has_overdue_and_pending_deadlines_to_look_at():
    seed()
    now = timezone.now()
    overdue = Deadline.objects.filter(state=Deadline.State.BREACHED, met_at__isnull=True)
    assert overdue.filter(kind=DeadlineKind.REPORT, due_at__lt=now).exists()
    assert Escalation.objects.filter(deadline__in=overdue).exists()
    assert Deadline.objects.filter(state=Deadline.State.PENDING,
                                   due_at__gt=now + timedelta(minutes=30)).exists()


def test_c01_demo_history_was_worked_on_time():
    """Past steps carry their stated times, so every deadline met in the story was met in time."""
    seed()
    assert not Deadline.objects.filter(met_at__isnull=False,
                                       state=Deadline.State.BREACHED).exists()
    reviewed = Incident.objects.filter(state=State.REVIEWED).first()
    reported = reviewed.timeline.get(event=Event.REPORTED)
    assert reported.occurred_at - reviewed.discovered_at < timedelta(hours=2)
    assert reported.recorded_at > reported.occurred_at


def test_seed_demo_is_idempotent():
    seed()
    counts = (Incident.objects.count(), Person.objects.count(), TimelineEntry.objects.count())
    second = seed()
    assert "already present" in second
    assert (Incident.objects.count(), Person.objects.count(),
            TimelineEntry.objects.count()) == counts


def test_seed_demo_prints_logins_that_work():
    out = seed()
    assert "demo logins" in out and "/admin/" in out
    for role, username, password in demo.logins():
        assert username in out and password in out
        assert Client().login(request=RequestFactory().post("/"), username=username,
                              password=password), username


def test_c02_seed_demo_urgent_option_adds_another_case_about_to_miss():
    seed()
    call_command("seed_demo", "--urgent", stdout=StringIO())
    urgent = Incident.objects.filter(title=demo.URGENT_TITLE).order_by("-pk").first()
    verbal = urgent.deadlines.get(kind=DeadlineKind.VERBAL_REPORT)
    assert timedelta(0) < verbal.due_at - timezone.now() <= timedelta(minutes=2)


def test_c02_demo_missed_verbal_report_reaches_the_owing_person_on_every_channel(
        django_capture_on_commit_callbacks, mailoutbox):
    from notifications.models import Delivery

    seed()
    urgent = Incident.objects.get(title=demo.URGENT_TITLE)
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            sweep_all()
    verbal = urgent.deadlines.get(kind=DeadlineKind.VERBAL_REPORT)
    owing = verbal.owed_by_person
    sent = Delivery.objects.filter(person=owing, notification__incident=urgent)
    assert set(sent.values_list("channel_kind", "status")) == {
        ("inbox", "sent"), ("console", "sent"), ("email", "sent")}
    assert [message.to for message in mailoutbox] == [[owing.user.email]]
    assert urgent.timeline.filter(event=Event.NOTIFICATION).count() == 3
