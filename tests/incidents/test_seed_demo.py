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
    """Past steps carry their stated times, so every deadline met in the story was met in time,
    but the two late ones the demo is about: the teacher's speech reported 25 minutes after the
    plan's 2 hours (the audit's C21 finding), and the referral slip whose reply came in late (C13)."""
    seed()
    late = Deadline.objects.filter(met_at__isnull=False, state=Deadline.State.BREACHED)
    assert sorted(late.values_list("kind", flat=True)) == sorted(
        [DeadlineKind.REPORT, DeadlineKind.REFERRAL_REPLY])
    report = late.get(kind=DeadlineKind.REPORT)
    assert report.minutes_late == 25 and report.incident.state == State.REVIEWED
    assert late.get(kind=DeadlineKind.REFERRAL_REPLY).incident.title == demo.REFERRAL_TITLE
    on_time = Incident.objects.filter(state=State.REVIEWED).exclude(pk=report.incident_id).get()
    reported = on_time.timeline.get(event=Event.REPORTED)
    assert reported.occurred_at - on_time.discovered_at < timedelta(hours=2)
    assert reported.recorded_at > reported.occurred_at


def test_c21_demo_reviewed_incident_shows_confirmed_findings_with_evidence_and_its_review():
    """Issue 13's walk: the auditor opens a reviewed demo incident, sees its findings with
    evidence (the late report confirmed), the review's record, and a green chain check."""
    from audit.models import Finding, Review
    from audit.verify import verify

    seed()
    incident = Incident.objects.get(state=State.REVIEWED, findings__kind=Finding.Kind.LATE)
    late = incident.findings.get(kind=Finding.Kind.LATE)
    assert late.status == Finding.Status.CONFIRMED and late.minutes == 25
    assert {row["type"] for row in late.evidence} >= {"deadline"}
    review = Review.objects.get(incident=incident)
    assert review.reviewers.count() == 2 and review.experts[0]["name"] == "林教授"
    assert review.plan_changes.count() == 1
    client = Client()
    client.force_login(Person.objects.get(name="周静").user)
    page = client.get(f"/audit/incidents/{incident.pk}/").content.decode()
    assert "迟报" in page and "已确认" in page and "林教授" in page
    assert verify().ok


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


def test_c13_demo_inquiry_goes_through_a_slip_and_a_chase_to_an_approved_reply():
    from referrals.models import Referral

    seed()
    incident = Incident.objects.get(title=demo.REFERRAL_TITLE)
    assert incident.category == "inquiry" and incident.severity == "general"
    slip = Referral.objects.get(incident=incident)
    assert slip.state == Referral.State.APPROVED and slip.lead_unit.name == "教务处"
    chase = slip.supervisions.get()
    assert chase.deadline is not None and chase.supervised_at > slip.due_at  # it ran late
    reply = slip.replies.get()
    assert reply.state == "approved" and reply.submitted_at > chase.supervised_at
    events = list(incident.timeline.order_by("occurred_at", "id").values_list("event", flat=True))
    story = [Event.REFERRED, Event.DEADLINE_BREACHED, Event.REFERRAL_SUPERVISED,
             Event.REFERRAL_REPLIED, Event.REFERRAL_APPROVED, Event.RESPONDED]
    positions = [events.index(event) for event in story]
    assert positions == sorted(positions), events
    breached = incident.deadlines.get(kind=DeadlineKind.REFERRAL_REPLY)
    assert breached.state == Deadline.State.BREACHED
    supervision = incident.deadlines.filter(kind=DeadlineKind.REFERRAL_SUPERVISION)
    assert not supervision.filter(state=Deadline.State.PENDING).exists()  # ended by approval
    assert slip.documents.filter(kind="referral_slip").exists()


def test_c09_demo_general_incident_turned_major_by_its_metrics_saying_why():
    seed()
    incident = Incident.objects.get(title=demo.RISING_TITLE)
    assert incident.severity == "major"
    raised = incident.timeline.get(event=Event.SEVERITY_UPGRADED)
    assert raised.actor is None and raised.data["by_rule"] is True
    assert "点击量 1800 ≥ 1000" in raised.note
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).exists()
