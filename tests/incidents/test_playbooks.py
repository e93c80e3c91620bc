"""C10a–d: each content category's playbook, as plan data, opened, met, breached, escalated."""
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from incidents import actions, playbooks
from incidents.models import Deadline, Escalation, Event
from opinion_ops.errors import InvalidInput, NotPermitted
from plans.models import DeadlineKind, PlaybookStep, ResponsePlan
from plans.versions import start_revision, publish
from tests.incidents.helpers import breaches, detect, events, report
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
# Steps opened at classification (C10b's referral waits until the hype continues).
CATEGORIES = {"inquiry": ("C10a", 3), "hype": ("C10b", 1), "fabrication": ("C10c", 2),
              "constructive": ("C10d", 2)}


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _classified(org, category, plan_family="default"):
    plan = ResponsePlan.objects.current().get(family=plan_family)
    incident = detect(org, discovered_at=T0, plan=plan)
    report(org, incident)
    return actions.classify_incident(incident, org.staff.user, category=category,
                                     severity="general")


def _referred(org, incident):
    from referrals.actions import refer_incident
    refer_incident(incident, org.staff.user, lead_unit=org.department, instruction="请教务处核实答复")
    incident.refresh_from_db()
    return incident


def _rows(incident):
    return list(Deadline.objects.filter(incident=incident, kind=DeadlineKind.PLAYBOOK_STEP)
                .order_by("sequence"))


@pytest.mark.parametrize("family", ["default", "one-hour"])
@pytest.mark.parametrize("category", list(CATEGORIES))
def test_c10_each_category_opens_its_plan_steps_as_deadlines(org, at_t0, category, family):
    clause, count = CATEGORIES[category]
    incident = _classified(org, category, family)
    steps = list(PlaybookStep.objects.filter(plan=incident.plan, category=category,
                                             only_if_continuing=False))
    rows = _rows(incident)
    assert len(steps) == len(rows) == count
    for step, row in zip(steps, rows):
        assert row.sequence == step.position and row.clause == clause
        assert row.state == Deadline.State.PENDING
        assert row.owed_by_unit == playbooks.owner_unit(incident, step)
    # Other categories' steps are not opened; the checklist shows exactly these steps.
    assert [item.step.position for item in playbooks.checklist(incident)] == \
        list(PlaybookStep.objects.filter(plan=incident.plan, category=category)
             .values_list("position", flat=True))


def test_c10a_inquiry_steps_are_owed_by_the_lead_department_with_plan_windows(org, at_t0):
    incident = _classified(org, "inquiry")
    first, second, third = _rows(incident)
    # Until a slip names the lead department, the incident's owner unit owes them; the slip
    # hands them over (C11).
    assert {r.owed_by_unit for r in (first, second, third)} == {incident.owner_unit}
    _referred(org, incident)
    first, second, third = _rows(incident)
    assert {r.owed_by_unit for r in (first, second, third)} == {org.department}
    assert first.due_at == T0 + timedelta(days=1)  # the same day's handling opinion
    # 3 working days from Monday: Thursday, same clock time
    assert second.due_at == T0 + timedelta(days=3)


def test_c10a_a_step_met_by_its_verb_on_time(org, at_t0):
    incident = _referred(org, _classified(org, "inquiry"))
    at_t0.shift(timedelta(hours=3))
    actions.complete_playbook_step(incident, org.handler.user, position=1,
                                   step=actions.Step(note="拟约谈食堂承包方"))
    first = _rows(incident)[0]
    assert first.state == Deadline.State.MET and first.met_by == org.handler.user
    [entry] = events(incident, Event.PLAYBOOK_STEP_DONE)
    assert entry.clause == "C10a" and "拟约谈" in entry.note
    assert [item.done for item in playbooks.checklist(incident)] == [True, False, False]
    with pytest.raises(InvalidInput) as exc:
        actions.complete_playbook_step(incident, org.handler.user, position=1)
    assert "step" in exc.value.errors


def test_c10b_unmet_step_is_breached_and_escalated_by_the_sweep(org, at_t0):
    incident = _classified(org, "hype")
    publish_facts = _rows(incident)[0]
    assert publish_facts.owed_by_unit == org.press
    with time_machine.travel(publish_facts.due_at - timedelta(seconds=1), tick=False):
        assert publish_facts.pk not in sweep_all().breached
    with time_machine.travel(publish_facts.due_at, tick=False):
        assert publish_facts.pk in sweep_all().breached
    publish_facts.refresh_from_db()
    assert publish_facts.state == Deadline.State.BREACHED
    # The forwarding (C11, 2 hours) was breached too; the step's own breach says C10b.
    assert [e.clause for e in breaches(incident)
            if e.data.get("deadline") == publish_facts.pk] == ["C10b"]
    escalation = Escalation.objects.get(deadline=publish_facts)
    assert escalation.level == 1
    # Done late: met late, the breach stays on the record.
    with time_machine.travel(publish_facts.due_at + timedelta(hours=1), tick=False):
        actions.complete_playbook_step(incident, org.spokesperson.user, position=1)
    publish_facts.refresh_from_db()
    assert publish_facts.state == Deadline.State.BREACHED and publish_facts.met_at is not None


def test_c10c_referral_to_the_judicial_body_needs_body_date_and_reference(org, at_t0):
    incident = _classified(org, "fabrication")
    with pytest.raises(InvalidInput) as exc:
        actions.complete_playbook_step(incident, org.staff.user, position=2)
    assert set(exc.value.errors) == {"body", "reference", "referred_on"}
    assert _rows(incident)[1].state == Deadline.State.PENDING
    actions.complete_playbook_step(incident, org.staff.user, position=2, body="市公安局网安支队",
                                   reference="校办移〔2026〕12号", referred_on=date(2026, 11, 23))
    [entry] = events(incident, Event.PLAYBOOK_STEP_DONE)
    assert entry.data["reference"] == "校办移〔2026〕12号" and entry.data["body"] == "市公安局网安支队"
    assert _rows(incident)[1].state == Deadline.State.MET


def test_c10d_a_unit_other_than_the_owner_may_not_complete_the_step(org, at_t0):
    incident = _referred(org, _classified(org, "constructive"))
    with pytest.raises(NotPermitted):
        actions.complete_playbook_step(incident, org.spokesperson.user, position=1)
    actions.complete_playbook_step(incident, org.handler.user, position=1,
                                   step=actions.Step(note="采纳：延长食堂开放时间"))
    assert _rows(incident)[0].state == Deadline.State.MET


def test_c10_an_office_changes_steps_in_a_new_version_which_governs_new_incidents(org, at_t0):
    old = ResponsePlan.objects.current().get(family="default")
    draft = start_revision(old)
    assert draft.playbook_steps.count() == old.playbook_steps.count()
    # A step met by another verb: recording the metrics.
    PlaybookStep.objects.create(plan=draft, category="inquiry", position=4, title="次日复核传播数据",
                                amount=1, unit="calendar_days", owner="office", verb="metrics",
                                clause="C10a")
    new = publish(draft)
    later = _classified(org, "inquiry")
    assert later.plan == new and len(_rows(later)) == 4
    from incidents.classification import Heat
    actions.record_metrics(later, org.staff.user, heat=Heat(clicks=10), stage="latent")
    assert _rows(later)[3].state == Deadline.State.MET
    assert _rows(later)[0].state == Deadline.State.PENDING  # a step of another verb stays owed
    assert old.playbook_steps.filter(position=4).count() == 0


def test_c10_playbook_step_api_and_bad_step_is_a_400(org, at_t0, client):
    incident = _referred(org, _classified(org, "inquiry"))
    client.force_login(org.handler.user)
    url = f"/api/v1/incidents/{incident.pk}/playbook-step/"
    assert client.post(url, {"step": 9}, content_type="application/json").status_code == 400
    assert client.post(url, {"step": -1}, content_type="application/json").status_code == 400
    assert _rows(incident)[0].state == Deadline.State.PENDING
    response = client.post(url, {"step": 1, "note": "已提出处理意见"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert _rows(incident)[0].state == Deadline.State.MET


def test_c10a_the_unified_reply_approved_by_the_department_head_meets_the_reply_step(org,
                                                                                      at_t0):
    from tests.support.responding import answer_approved

    incident = _referred(org, _classified(org, "inquiry"))
    assert [s.verb for s in playbooks.steps_for(incident)][2] == playbooks.UNIFIED_REPLY
    at_t0.shift(timedelta(hours=5))
    answer_approved(org, incident)  # a unified reply, approved by the department's head
    third = _rows(incident)[2]
    assert third.state == Deadline.State.MET and third.met_at is not None
    assert [item.done for item in playbooks.checklist(incident)] == [False, False, True]
    with pytest.raises(InvalidInput) as exc:  # not ticked by hand
        actions.complete_playbook_step(incident, org.handler.user, position=3)
    assert "step" in exc.value.errors


@pytest.mark.parametrize("goes_on", ["hotter_snapshot", "spreading_mark"])
def test_c10b_the_referral_step_opens_only_if_the_hype_continues(org, at_t0, goes_on):
    from incidents.classification import Heat

    incident = _classified(org, "hype")
    assert [row.sequence for row in _rows(incident)] == [1]  # only "publish the facts"
    actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=300, comments=20),
                           stage="outbreak")
    at_t0.shift(timedelta(hours=2))
    actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=250, comments=15),
                           stage="outbreak")  # cooler: it does not continue
    assert [row.sequence for row in _rows(incident)] == [1]
    at_t0.shift(timedelta(hours=2))
    if goes_on == "hotter_snapshot":
        actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=600, comments=40),
                               stage="outbreak")
    else:
        actions.mark_spreading(incident, org.staff.user, reason="多个账号持续炒作")
    rows = _rows(incident)
    assert [row.sequence for row in rows] == [1, 2]
    referral = rows[1]
    assert referral.clause == "C10b" and referral.state == Deadline.State.PENDING
    assert referral.owed_by_unit == playbooks.owner_unit(incident, playbooks.steps_for(incident)[1])
    actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=900, comments=80),
                           stage="outbreak")
    assert len(_rows(incident)) == 2  # opened once
