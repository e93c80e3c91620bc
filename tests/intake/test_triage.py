"""C06: a lead left untouched for the plan's triage window (30 min) is breached once and climbs
the plan's ladder (owner → office → leadership) until someone handles it."""
from datetime import timedelta

import pytest

from intake import actions, triage
from intake.links import Item
from intake.models import DutyShift, LeadEntry, LeadTriage
from intake.receiving import ingest
from plans.models import DeadlineRule

from .conftest import T0

pytestmark = pytest.mark.django_db


def lead_of(source):
    return ingest(source, [Item(title="某校食堂饭菜变质", url="https://weibo.com/1/a")],
                  body={}).created[0]


def test_c06_untouched_lead_breaches_after_30_minutes_once(org, sources, clock):
    DutyShift.objects.create(unit=org.department, person=org.duty, starts_at=T0,
                             ends_at=T0 + timedelta(hours=8))
    lead = lead_of(sources.api)
    assert LeadTriage.objects.get(lead=lead).due_at == T0 + timedelta(minutes=30)

    assert triage.sweep(T0 + timedelta(minutes=29)) == ([], [])
    breached, _ = triage.sweep(T0 + timedelta(minutes=30))
    again, _ = triage.sweep(T0 + timedelta(minutes=31))

    assert len(breached) == 1 and again == []
    row = LeadTriage.objects.get(lead=lead)
    assert (row.state, row.level, row.breached_at) == ("breached", 1, T0 + timedelta(minutes=30))
    entry = LeadEntry.objects.get(lead=lead, event="triage_breached")
    assert "李值班" in entry.note and entry.clause == "C06"


def test_c06_breached_lead_climbs_to_office_then_leadership(org, sources, clock):
    lead = lead_of(sources.api)
    triage.sweep(T0 + timedelta(minutes=30))
    _, climbed = triage.sweep(T0 + timedelta(minutes=45))
    _, top = triage.sweep(T0 + timedelta(minutes=75))
    _, beyond = triage.sweep(T0 + timedelta(hours=5))

    assert len(climbed) == 1 and len(top) == 1 and beyond == []
    notes = list(LeadEntry.objects.filter(lead=lead, event="escalated")
                 .values_list("note", flat=True))
    assert "赵干事" in notes[0] and "王组长" in notes[1]


def test_c06_handling_the_lead_stops_the_ladder(org, sources, clock):
    lead = lead_of(sources.api)
    triage.sweep(T0 + timedelta(minutes=30))
    clock.move_to(T0 + timedelta(minutes=35))
    actions.dismiss_lead(lead, org.duty.user, reason="广告")

    assert triage.sweep(T0 + timedelta(hours=2)) == ([], [])
    row = LeadTriage.objects.get(lead=lead)
    assert row.state == "breached" and row.met_at == T0 + timedelta(minutes=35)  # kept (C21)


def test_c06_triage_window_is_plan_data(org, sources, clock):
    DeadlineRule.objects.filter(kind="lead_triage").update(amount=10)
    lead = lead_of(sources.api)
    assert LeadTriage.objects.get(lead=lead).due_at == T0 + timedelta(minutes=10)
