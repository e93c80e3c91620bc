"""The major procedure (C14): becoming major opens, once, the office's report to the
leadership group, the investigation order to the involved unit, the emergency meeting and the
press group with one spokesperson — each a plan deadline its verb meets, breached and escalated
once when it is not."""
from datetime import timedelta

import pytest
import time_machine

from incidents import actions as incident_actions
from incidents.models import Deadline, Escalation, Event
from plans.choices import DeadlineKind
from tests.responses.helpers import T0, client_for, incident_at
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db

PROCEDURE = [DeadlineKind.OFFICE_REPORT, DeadlineKind.INVESTIGATION_ORDER,
             DeadlineKind.EMERGENCY_MEETING, DeadlineKind.PRESS_GROUP]


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


def test_c14_becoming_major_opens_each_obligation_of_the_procedure_once(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=5))
    incident_actions.upgrade_severity(incident, office.staff.user, severity="especially_major",
                                      reason="主流网站转载超过 5 家")

    rows = list(incident.deadlines.filter(kind__in=PROCEDURE))
    assert sorted(row.kind for row in rows) == sorted(PROCEDURE)
    owed = {row.kind: row for row in rows}
    for kind in (DeadlineKind.OFFICE_REPORT, DeadlineKind.INVESTIGATION_ORDER):
        rule = incident.plan.rule_for(kind)
        assert owed[kind].owed_by_unit == office.office and owed[kind].clause == "C14"
        assert owed[kind].due_at == T0 + timedelta(hours=rule.amount)  # the plan's hour


def test_c14_a_general_incident_owes_no_office_report_or_investigation_order(office, clock):
    incident = incident_at(office, "general")

    assert not incident.deadlines.filter(kind__in=PROCEDURE).exists()


def test_c14_the_office_report_to_the_leadership_group_meets_its_deadline(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=20))

    answer = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/leadership-report/",
        {"recipient": "王组长", "channel": "phone", "note": "教育局食堂舆情已达重大，请示召开紧急会议"},
        format="json")

    assert answer.status_code == 200, answer.data
    row = incident.deadlines.get(kind=DeadlineKind.OFFICE_REPORT)
    assert row.state == Deadline.State.MET and row.met_at == T0 + timedelta(minutes=20)
    entry = incident.timeline.get(event=Event.LEADERSHIP_REPORT)
    assert (entry.actor_name, entry.recipient, entry.channel, entry.clause) == (
        "赵干事", "王组长", "phone", "C14")
    assert "leadership-report" not in answer.data["next_actions"]


def test_c14_the_office_report_breaches_and_escalates_once_then_is_met_late(office, clock):
    incident = incident_at(office, "major")
    row = incident.deadlines.get(kind=DeadlineKind.OFFICE_REPORT)

    assert row.pk not in sweep_at(row.due_at - timedelta(seconds=1)).breached
    assert row.pk in sweep_at(row.due_at).breached
    assert row.pk not in sweep_at(row.due_at + timedelta(minutes=10)).breached
    assert Escalation.objects.filter(deadline=row).count() == 1
    clock.move_to(row.due_at + timedelta(minutes=25))
    answer = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/leadership-report/",
        {"recipient": "王组长", "note": "补报重大舆情"}, format="json")

    assert answer.status_code == 200, answer.data
    row.refresh_from_db()
    assert row.state == Deadline.State.BREACHED and row.minutes_late == 25
    assert incident.timeline.filter(event=Event.DEADLINE_BREACHED,
                                    data__deadline=row.pk).count() == 1


def test_c14_the_investigation_order_names_the_involved_unit_and_meets_its_deadline(
        office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=30))

    answer = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/investigation-order/",
        {"unit": office.department.pk, "note": "核查食堂进货台账和留样记录，当日报告"},
        format="json")

    assert answer.status_code == 200, answer.data
    row = incident.deadlines.get(kind=DeadlineKind.INVESTIGATION_ORDER)
    assert row.state == Deadline.State.MET
    entry = incident.timeline.get(event=Event.INVESTIGATION_ORDERED)
    assert (entry.actor_name, entry.recipient, entry.data["unit"]) == (
        "赵干事", "教务处", office.department.pk)


def test_c14_the_investigation_order_breaches_and_escalates_once(office, clock):
    incident = incident_at(office, "major")
    row = incident.deadlines.get(kind=DeadlineKind.INVESTIGATION_ORDER)

    assert row.pk in sweep_at(row.due_at).breached
    assert row.pk not in sweep_at(row.due_at + timedelta(hours=1)).breached

    assert Escalation.objects.filter(deadline=row).count() == 1
    row.refresh_from_db()
    assert row.state == Deadline.State.BREACHED and row.met_at is None


def test_c14_only_the_office_reports_to_the_leadership_and_orders_investigation(
        office, clock):
    incident = incident_at(office, "major")
    leader = client_for(office.leader)

    report = leader.post(f"/api/v1/incidents/{incident.pk}/leadership-report/",
                         {"recipient": "王组长", "note": "报告"}, format="json")
    order = leader.post(f"/api/v1/incidents/{incident.pk}/investigation-order/",
                        {"note": "调查"}, format="json")
    missing = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/investigation-order/", {}, format="json")

    assert (report.status_code, order.status_code) == (403, 403)
    assert missing.status_code == 400 and set(missing.data) == {"note"}
    assert incident.deadlines.get(kind=DeadlineKind.OFFICE_REPORT).state == "pending"


def test_c14_the_procedure_counts_from_when_the_incident_became_major(office, clock):
    from incidents.actions import Step
    from tests.incidents.helpers import detect, report
    incident = detect(office, discovered_at=T0)
    report(office, incident)
    clock.shift(timedelta(minutes=50))

    incident_actions.classify_incident(
        incident, office.staff.user, category="hype", severity="major",
        step=Step(occurred_at=T0 + timedelta(minutes=10), late_reason="电话研判后补录"))

    for kind in PROCEDURE:
        row = incident.deadlines.get(kind=kind)
        assert row.due_at == T0 + timedelta(minutes=10) + timedelta(
            hours=incident.plan.rule_for(kind).amount)
