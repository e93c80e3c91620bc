"""C06, C01, C21, C07: from a lead the duty officer opens an incident whose report window runs
from the push, attaches it to an incident (its figures become snapshots), or dismisses it."""
from datetime import timedelta
from decimal import Decimal

import pytest

from incidents import actions as incident_actions
from incidents.models import Deadline, Incident
from intake import actions
from intake.links import Item, Metrics
from intake.models import Lead, LeadEntry, LeadTriage
from intake.receiving import ingest
from opinion_ops.errors import InvalidInput, NotPermitted
from plans.models import DeadlineKind
from tests.factories import incident_kwargs

from .conftest import T0

pytestmark = pytest.mark.django_db


def a_lead(source, title="网传某校食堂饭菜变质", url="https://weibo.com/1/abc", metrics=None):
    result = ingest(source, [Item(title=title, url=url, excerpt=title, metrics=metrics)],
                    body={"title": title})
    return result.created[0]


def test_c01_lead_opened_later_carries_its_received_time_as_discovery(org, sources, clock):
    lead = a_lead(sources.dingtalk)
    clock.shift(timedelta(minutes=40))

    incident = actions.open_incident(lead, org.duty.user)

    assert incident.discovered_at == T0
    report = Deadline.objects.get(incident=incident, kind=DeadlineKind.REPORT)
    assert report.due_at == T0 + timedelta(hours=2)  # C01 runs from the push, not the click
    lead.refresh_from_db()
    assert (lead.state, lead.incident_id) == (Lead.State.OPENED, incident.pk)
    assert LeadTriage.objects.get(lead=lead).state == "met"
    assert LeadEntry.objects.filter(lead=lead, event="opened").exists()


def test_c21_an_incident_opened_from_a_lead_after_2h_is_already_overdue(org, sources, clock):
    lead = a_lead(sources.dingtalk)
    clock.shift(timedelta(hours=2, minutes=1))

    incident = actions.open_incident(lead, org.duty.user)

    report = Deadline.objects.get(incident=incident, kind=DeadlineKind.REPORT)
    assert Deadline.objects.filter(pk=report.pk).overdue().exists()


def test_c06_a_lead_is_handled_once(org, sources, clock):
    lead = a_lead(sources.dingtalk)
    actions.open_incident(lead, org.duty.user)

    with pytest.raises(InvalidInput) as refused:
        actions.dismiss_lead(lead, org.duty.user, reason="重复")
    assert "state" in refused.value.errors
    assert Incident.objects.count() == 1


def test_c06_dismiss_needs_a_reason_and_keeps_it(org, sources, clock):
    lead = a_lead(sources.dingtalk)
    with pytest.raises(InvalidInput) as refused:
        actions.dismiss_lead(lead, org.duty.user, reason="  ")
    assert "reason" in refused.value.errors

    actions.dismiss_lead(lead, org.duty.user, reason="与本单位无关的广告")
    lead.refresh_from_db()
    assert (lead.state, lead.dismiss_reason) == ("dismissed", "与本单位无关的广告")


def test_c06_a_role_without_triage_permission_cannot_open_an_incident(org, sources, clock):
    lead = a_lead(sources.dingtalk)
    with pytest.raises(NotPermitted):
        actions.open_incident(lead, org.handler.user)
    assert Incident.objects.count() == 0


def test_c07_attached_lead_metrics_become_the_incident_snapshot(org, sources, clock):
    incident = incident_actions.detect_incident(org.duty.user, **incident_kwargs())
    lead = a_lead(sources.dingtalk, metrics=Metrics(clicks=1500, comments=120, reposts=40,
                                                     mainstream_sites=3,
                                                     heat_index=Decimal("87.50")))

    actions.attach_lead(lead, org.duty.user, incident=incident)

    snapshot = incident.metrics.get()
    assert (snapshot.clicks, snapshot.comments, snapshot.mainstream_sites) == (1500, 120, 3)
    assert snapshot.heat_index == Decimal("87.50")
    assert "转发 40" in snapshot.attention


def test_c07_attaching_to_a_closed_incident_is_refused(org, sources, clock):
    incident = incident_actions.detect_incident(org.duty.user, **incident_kwargs())
    incident_actions.dismiss_incident(incident, org.staff.user,
                                      incident_actions.Step(note="不属实"))
    lead = a_lead(sources.dingtalk)
    with pytest.raises(InvalidInput) as refused:
        actions.attach_lead(lead, org.staff.user, incident=Incident.objects.get(pk=incident.pk))
    assert "incident" in refused.value.errors
