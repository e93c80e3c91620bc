"""C14, C15, C16, C18 in time: approval windows, meeting tasks and bulletins are incident
deadlines from the plan; they breach and escalate like any other, and are met by the step."""
from datetime import timedelta

import pytest
import time_machine

from incidents.actions import Step
from incidents.models import Deadline, Escalation, EscalationNotice, Event
from plans.choices import DeadlineKind
from responses import actions, meetings, press
from tests.responses.helpers import (T0, approved, client_for, drafted, incident_at,
                                     with_spokesperson)
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


def test_c16_approval_window_breaches_and_escalates_to_the_leadership_group(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    window = draft.current.approval_deadline
    rule = incident.plan.rule_for(DeadlineKind.RESPONSE_APPROVAL)
    assert window.due_at == T0 + timedelta(hours=rule.amount)  # the plan's 2 hours
    assert window.owed_by_unit == office.leadership

    assert window.pk not in sweep_at(window.due_at - timedelta(seconds=1)).breached
    assert window.pk in sweep_at(window.due_at).breached

    escalation = Escalation.objects.get(deadline=window)
    notified = {p.name for p in EscalationNotice.objects.get(escalation=escalation, level=1)
                .recipients.all()}
    assert "王组长" in notified
    with time_machine.travel(window.due_at + timedelta(minutes=5), tick=False):
        actions.approve_draft(draft, office.leader.user)
    window.refresh_from_db()
    assert window.state == Deadline.State.BREACHED and window.met_at is not None
    assert window.minutes_late == 5


def test_c14_major_incident_owes_an_emergency_meeting_a_press_group_and_the_bulletin(
        office, clock):
    incident = incident_at(office, "major")

    owed = {d.kind: d for d in incident.deadlines.filter(state=Deadline.State.PENDING)}

    assert {DeadlineKind.EMERGENCY_MEETING, DeadlineKind.PRESS_GROUP,
            DeadlineKind.BULLETIN} <= set(owed)
    assert owed[DeadlineKind.EMERGENCY_MEETING].owed_by_unit == office.leadership
    assert owed[DeadlineKind.BULLETIN].owed_by_unit == office.office
    assert owed[DeadlineKind.EMERGENCY_MEETING].clause == "C14"


def test_c14_a_general_incident_owes_none_of_the_major_procedure(office, clock):
    incident = incident_at(office, "general")

    assert not incident.deadlines.filter(kind__in=[
        DeadlineKind.EMERGENCY_MEETING, DeadlineKind.PRESS_GROUP, DeadlineKind.BULLETIN])


def _meeting(office, incident, tasks, kind="emergency", **extra):
    return client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/meetings/",
        {"kind": kind, "held_at": "2026-11-23T10:30:00+08:00",
         "attendees": [office.leader.pk, office.deputy.pk, office.staff.pk],
         "agenda": "研究食堂饭菜舆情处置", "decisions": "成立调查组；当日发布情况通报",
         "agreed_wording": "高度重视，立即调查，结果及时公布", "release_approver": office.leader.pk,
         "tasks": tasks, **extra}, format="json")


def test_c15_meeting_tasks_breach_and_escalate_then_are_met_late(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=40))  # 10:40 Shanghai
    answer = _meeting(office, incident, [
        {"title": "核查食堂进货台账", "owner_unit": office.department.pk,
         "owner": office.handler.pk, "due_at": "2026-11-23T14:00:00+08:00"}])
    assert answer.status_code == 201, answer.data
    task = answer.data["tasks"][0]
    row = Deadline.objects.get(pk=task["deadline"])
    assert row.kind == DeadlineKind.MEETING_TASK and row.owed_by_person == office.handler
    assert incident.deadlines.get(kind=DeadlineKind.EMERGENCY_MEETING).state == "met"
    assert incident.timeline.filter(event=Event.MEETING_HELD).get().actor_name == "赵干事"

    assert row.pk in sweep_at(row.due_at).breached
    assert Escalation.objects.filter(deadline=row).exists()
    clock.move_to(row.due_at + timedelta(minutes=30))
    done = client_for(office.handler).post(f"/api/v1/meeting-tasks/{task['id']}/done/",
                                           {"outcome": "台账已核查，无过期食材"}, format="json")

    assert done.status_code == 200, done.data
    row.refresh_from_db()
    assert row.state == Deadline.State.BREACHED and row.minutes_late == 30
    assert incident.timeline.filter(event=Event.MEETING_TASK_DONE).get().actor_name == "钱承办"


def test_c15_a_joint_meeting_needs_its_lead_unit_and_tasks_due_after_it(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(hours=1))

    answer = _meeting(office, incident, [
        {"title": "补充材料", "owner_unit": office.department.pk,
         "due_at": "2026-11-23T09:00:00+08:00"}], kind="joint")

    assert answer.status_code == 400
    assert set(answer.data) == {"lead_unit", "tasks"}


def test_c15_only_the_owner_unit_reports_a_task_done(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=40))
    held = _meeting(office, incident, [
        {"title": "起草通稿", "owner_unit": office.press.pk,
         "due_at": "2026-11-23T15:00:00+08:00"}])
    assert held.status_code == 201, held.data
    task = held.data["tasks"][0]

    refused = client_for(office.handler).post(f"/api/v1/meeting-tasks/{task['id']}/done/",
                                              {"outcome": "完成"}, format="json")

    assert refused.status_code == 403


def test_c18_bulletin_falls_due_again_until_resolution(office, clock):
    incident = incident_at(office, "major")
    first = incident.deadlines.get(kind=DeadlineKind.BULLETIN, sequence=1)
    cadence = incident.plan.rule_for(DeadlineKind.BULLETIN)
    assert first.due_at == T0 + timedelta(days=cadence.amount)

    assert first.pk in sweep_at(first.due_at).breached
    clock.move_to(first.due_at + timedelta(hours=1))
    issued = client_for(office.staff).post(f"/api/v1/incidents/{incident.pk}/bulletin/",
                                           {"note": "网络舆情通报（第1期）"}, format="json")
    assert issued.status_code == 200, issued.data
    second = incident.deadlines.get(kind=DeadlineKind.BULLETIN, sequence=2)
    assert second.state == Deadline.State.PENDING
    assert second.due_at == first.due_at + timedelta(hours=1) + timedelta(days=cadence.amount)

    draft = approved(office, incident)
    with_spokesperson(office, incident)
    actions.publish_draft(draft, office.spokesperson.user, where="官网", url="https://jyj.example/1")
    responded = client_for(office.staff).post(f"/api/v1/incidents/{incident.pk}/respond/",
                                              {"response": "已发布情况通报"}, format="json")
    assert responded.status_code == 200, responded.data

    # Responded is not resolved: the bulletin is still owed, and issuing it opens the next.
    second.refresh_from_db()
    assert second.state == Deadline.State.PENDING
    clock.move_to(second.due_at - timedelta(hours=1))
    assert client_for(office.staff).post(f"/api/v1/incidents/{incident.pk}/bulletin/",
                                         {"note": "网络舆情通报（第2期）"},
                                         format="json").status_code == 200
    third = incident.deadlines.get(kind=DeadlineKind.BULLETIN, sequence=3)
    assert third.state == Deadline.State.PENDING
    resolved = client_for(office.staff).post(f"/api/v1/incidents/{incident.pk}/resolve/",
                                             {"note": "跟踪确认已化解"}, format="json")

    assert resolved.status_code == 200, resolved.data
    third.refresh_from_db()
    assert third.state == Deadline.State.CANCELLED
    assert not incident.deadlines.filter(kind=DeadlineKind.BULLETIN,
                                         state=Deadline.State.PENDING).exists()
    late = press.issue_bulletin(incident, office.staff.user, step=Step(note="化解后的通报"))
    assert not late.deadlines.filter(kind=DeadlineKind.BULLETIN,
                                     state=Deadline.State.PENDING).exists()


def test_c18_only_the_office_issues_the_bulletin(office, clock):
    incident = incident_at(office, "major")

    refused = client_for(office.leader).post(f"/api/v1/incidents/{incident.pk}/bulletin/",
                                             {"note": "通报"}, format="json")

    assert refused.status_code == 403


def test_c14_press_group_obligation_breaches_when_no_spokesperson_is_designated(office, clock):
    incident = incident_at(office, "major")
    row = incident.deadlines.get(kind=DeadlineKind.PRESS_GROUP)

    assert row.pk in sweep_at(row.due_at).breached
    with time_machine.travel(row.due_at + timedelta(minutes=10), tick=False):
        press.designate_spokesperson(incident, office.leader.user, person=office.spokesperson)
    row.refresh_from_db()
    assert row.met_at is not None and row.minutes_late == 10
