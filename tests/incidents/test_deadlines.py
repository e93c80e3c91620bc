"""The deadline engine, clause by clause, with travelled time (no sleeps)."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import actions, sweep
from plans.models import Audience, DeadlineKind, ResponsePlan
from incidents.models import Channel, Deadline, Escalation, EscalationNotice, Event
from plans.versions import revise_plan
from tests.incidents.helpers import breaches, classify, deadline, detect, events, report
from tests.support.sweeping import sweep_all
from tests.support.responding import answer_approved

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_c01_report_within_2h_is_met_and_nothing_escalates(org, at_t0):
    incident = detect(org, discovered_at=T0)
    at_t0.shift(timedelta(hours=1, minutes=59))
    report(org, incident)
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.state == Deadline.State.MET
    assert row.clause == "C01"
    assert row.minutes_late == -1
    assert not _sweep_at(T0 + timedelta(hours=3)).breached
    assert not Escalation.objects.exists()


def test_c01_major_incident_unreported_after_2h_escalates_once(org, at_t0):
    incident = detect(org, discovered_at=T0)
    assert not _sweep_at(T0 + timedelta(hours=2) - timedelta(seconds=1)).breached
    first = _sweep_at(T0 + timedelta(hours=2))
    second = _sweep_at(T0 + timedelta(hours=2, seconds=5))
    row = deadline(incident, DeadlineKind.REPORT)
    assert first.breached == [row.pk] and second.breached == []
    assert row.state == Deadline.State.BREACHED
    [entry] = breaches(incident)
    assert entry.clause == "C01"
    escalation = Escalation.objects.get(deadline=row)
    assert escalation.level == 1
    [notice] = escalation.notices.all()
    assert notice.audience == Audience.OWNER
    assert list(notice.recipients.all()) == [org.duty]


def test_c01_ladder_climbs_to_office_then_leadership_until_acknowledged(org, at_t0):
    incident = detect(org, discovered_at=T0)
    due = T0 + timedelta(hours=2)
    _sweep_at(due)
    escalation = Escalation.objects.get(deadline__incident=incident)
    assert not _sweep_at(due + timedelta(minutes=14)).climbed
    assert _sweep_at(due + timedelta(minutes=15)).climbed == [escalation.pk]
    assert _sweep_at(due + timedelta(minutes=16)).climbed == []
    notice = EscalationNotice.objects.get(escalation=escalation, level=2)
    assert notice.audience == Audience.OFFICE
    assert set(notice.recipients.all()) == {org.staff, org.auditor}
    assert _sweep_at(due + timedelta(minutes=45)).climbed == [escalation.pk]
    top = EscalationNotice.objects.get(escalation=escalation, level=3)
    assert org.leader in top.recipients.all()
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.EXHAUSTED
    assert len(events(incident, Event.ESCALATED)) == 3


def test_c13_acknowledgement_stops_the_ladder(org, at_t0):
    from notifications.ladder import acknowledge

    incident = detect(org, discovered_at=T0)
    due = T0 + timedelta(hours=2)
    _sweep_at(due)
    escalation = Escalation.objects.get(deadline__incident=incident)
    with time_machine.travel(due + timedelta(minutes=5), tick=False):
        assert acknowledge(escalation, org.duty.user, via="test") is True
        assert acknowledge(escalation, org.duty.user, via="test") is False
    assert _sweep_at(due + timedelta(hours=5)).climbed == []
    assert escalation.notices.count() == 1
    assert len(events(incident, Event.ACKNOWLEDGED)) == 1


def test_c01_deadline_met_one_second_before_due_is_met(org, at_t0):
    incident = detect(org, discovered_at=T0)
    at_t0.move_to(T0 + timedelta(hours=2) - timedelta(seconds=1))
    report(org, incident, channel=Channel.WRITTEN)
    assert deadline(incident, DeadlineKind.REPORT).state == Deadline.State.MET


def test_c01_deadline_met_one_second_after_due_is_late(org, at_t0):
    incident = detect(org, discovered_at=T0)
    at_t0.move_to(T0 + timedelta(hours=2, seconds=1))
    report(org, incident, channel=Channel.WRITTEN)
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.state == Deadline.State.BREACHED
    assert row.met_at == T0 + timedelta(hours=2, seconds=1)
    [met] = events(incident, Event.DEADLINE_MET)
    assert met.data["on_time"] is False
    # Done, though late: the sweep has nothing left to chase.
    assert not _sweep_at(T0 + timedelta(hours=3)).breached
    assert not Escalation.objects.exists()


def test_c01_late_report_after_breach_resolves_the_ladder(org, at_t0):
    incident = detect(org, discovered_at=T0)
    _sweep_at(T0 + timedelta(hours=2))
    at_t0.move_to(T0 + timedelta(hours=2, minutes=5))
    report(org, incident)
    escalation = Escalation.objects.get(deadline__incident=incident)
    assert escalation.state == Escalation.State.RESOLVED
    assert _sweep_at(T0 + timedelta(hours=4)).climbed == []
    assert deadline(incident, DeadlineKind.REPORT).minutes_late == 5


def test_c02_urgent_verbal_report_missed_at_30_min_escalates_once(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    assert _sweep_at(T0 + timedelta(minutes=29, seconds=59)).breached == []
    assert len(_sweep_at(T0 + timedelta(minutes=30)).breached) == 1
    assert _sweep_at(T0 + timedelta(minutes=31)).breached == []
    row = deadline(incident, DeadlineKind.VERBAL_REPORT)
    assert row.state == Deadline.State.BREACHED and row.clause == "C02"
    assert Escalation.objects.filter(deadline=row).count() == 1
    assert [e.clause for e in breaches(incident)] == ["C02"]


def test_c02_phone_report_in_time_meets_verbal_and_written_still_due_at_90_min(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    at_t0.shift(timedelta(minutes=20))
    actions.record_verbal_report(incident, org.duty.user, actions.Step(
        recipient="领导小组办公室", note="电话汇报：食堂饭菜变质帖文已扩散"))
    assert deadline(incident, DeadlineKind.VERBAL_REPORT).state == Deadline.State.MET
    written = deadline(incident, DeadlineKind.WRITTEN_REPORT)
    assert written.state == Deadline.State.PENDING
    assert written.due_at == T0 + timedelta(minutes=90)
    [entry] = events(incident, Event.VERBAL_REPORT)
    assert entry.channel == Channel.PHONE and entry.recipient == "领导小组办公室"
    breached = _sweep_at(T0 + timedelta(minutes=90))
    assert breached.breached == [written.pk]


def test_c02_written_report_in_90_min_is_met(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    at_t0.shift(timedelta(minutes=25))
    report(org, incident, channel=Channel.PHONE)
    at_t0.shift(timedelta(minutes=60))
    actions.file_written_report(incident, org.duty.user, actions.Step(recipient="舆情办"))
    assert deadline(incident, DeadlineKind.WRITTEN_REPORT).state == Deadline.State.MET
    assert _sweep_at(T0 + timedelta(hours=3)).breached == []


def test_c02_variant_written_report_due_30_min_after_verbal(org, at_t0):
    one_hour = ResponsePlan.objects.current().get(family="one-hour")
    incident = detect(org, discovered_at=T0, urgent=True, plan=one_hour)
    assert not incident.deadlines.filter(kind=DeadlineKind.WRITTEN_REPORT).exists()
    at_t0.shift(timedelta(minutes=10))
    actions.record_verbal_report(incident, org.duty.user, actions.Step(
        recipient="局领导小组办公室", note="电话口头汇报"))
    written = deadline(incident, DeadlineKind.WRITTEN_REPORT)
    assert written.due_at == T0 + timedelta(minutes=40)
    assert _sweep_at(T0 + timedelta(minutes=40)).breached == [written.pk]


def test_c03_one_hour_plan_fires_at_1_hour(org, at_t0):
    one_hour = ResponsePlan.objects.current().get(family="one-hour")
    incident = detect(org, discovered_at=T0, plan=one_hour)
    assert _sweep_at(T0 + timedelta(minutes=59, seconds=59)).breached == []
    [fired] = _sweep_at(T0 + timedelta(hours=1)).breached
    row = Deadline.objects.get(pk=fired)
    assert row.incident == incident and row.kind == DeadlineKind.REPORT and row.clause == "C03"


def test_c04_major_incident_must_be_reported_to_superior(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    at_t0.shift(timedelta(minutes=30))
    classify(org, incident, severity="major", category="hype")
    superior = deadline(incident, DeadlineKind.SUPERIOR_REPORT)
    assert superior.clause == "C04" and superior.due_at == T0 + timedelta(hours=2, minutes=30)
    at_t0.shift(timedelta(minutes=40))
    actions.report_to_superior(incident, org.staff.user, actions.Step(
        channel=Channel.WRITTEN, recipient="市委网信办"))
    assert deadline(incident, DeadlineKind.SUPERIOR_REPORT).state == Deadline.State.MET


def test_c04_superior_report_missed_escalates_once(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident, severity="especially_major", category="fabrication")
    report_due = deadline(incident, DeadlineKind.SUPERIOR_REPORT).due_at
    swept = _sweep_at(report_due)
    assert deadline(incident, DeadlineKind.SUPERIOR_REPORT).pk in swept.breached
    assert _sweep_at(report_due + timedelta(minutes=1)).breached == []


def test_c05_follow_up_reports_repeat_every_interval_until_subsided(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident, severity="major", category="hype")
    first = deadline(incident, DeadlineKind.FOLLOW_UP, 1)
    assert first.due_at == T0 + timedelta(hours=4) and first.clause == "C05"
    at_t0.shift(timedelta(hours=3))
    actions.file_follow_up_report(incident, org.staff.user, actions.Step(
        channel=Channel.WRITTEN, recipient="领导小组", note="第1次续报"))
    second = deadline(incident, DeadlineKind.FOLLOW_UP, 2)
    assert deadline(incident, DeadlineKind.FOLLOW_UP, 1).state == Deadline.State.MET
    assert second.due_at == T0 + timedelta(hours=7)
    assert second.pk in _sweep_at(T0 + timedelta(hours=7)).breached
    assert deadline(incident, DeadlineKind.FOLLOW_UP, 2).state == Deadline.State.BREACHED
    at_t0.move_to(T0 + timedelta(hours=7, minutes=10))
    answer_approved(org, incident)
    actions.respond_incident(incident, org.spokesperson.user, actions.Step(
        channel=Channel.WRITTEN, note="发布情况通报"), response="已发布官方通报")
    # The late second follow-up was never filed, but no third one opens after subsiding.
    assert not incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP, sequence=3).exists()


def test_c05_subsiding_cancels_pending_follow_up(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident, severity="major", category="hype")
    at_t0.shift(timedelta(hours=1))
    answer_approved(org, incident)
    actions.respond_incident(incident, org.spokesperson.user, actions.Step(note="情况通报"),
                             response="已回应")
    assert deadline(incident, DeadlineKind.FOLLOW_UP).state == Deadline.State.CANCELLED
    fired = Deadline.objects.filter(pk__in=_sweep_at(T0 + timedelta(hours=10)).breached)
    assert DeadlineKind.FOLLOW_UP not in {row.kind for row in fired}


def test_c09_upgrade_to_major_while_report_pending_starts_major_deadlines_once(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident, severity="general", category="inquiry")
    assert not incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).exists()
    at_t0.shift(timedelta(minutes=30))
    actions.upgrade_severity(incident, org.leader.user, severity="major",
                             reason="转载量激增，出现扩散迹象")
    with pytest.raises(Exception):
        actions.upgrade_severity(incident, org.leader.user, severity="major", reason="重复")
    actions.upgrade_severity(incident, org.leader.user, severity="especially_major",
                             reason="主流网站转载超过 5 家")
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1
    assert incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).count() == 1
    assert len(events(incident, Event.SEVERITY_UPGRADED)) == 2


def test_c09_upgrade_making_incident_urgent_recomputes_pending_and_opens_urgent_reports(
        org, at_t0):
    incident = detect(org, discovered_at=T0)
    at_t0.shift(timedelta(minutes=10))
    actions.upgrade_severity(incident, org.leader.user, severity="major", urgent=True,
                             reason="涉及食品安全")
    kinds = set(incident.deadlines.values_list("kind", flat=True))
    assert {DeadlineKind.REPORT, DeadlineKind.VERBAL_REPORT,
            DeadlineKind.WRITTEN_REPORT} <= kinds
    assert deadline(incident, DeadlineKind.VERBAL_REPORT).due_at == T0 + timedelta(minutes=30)


def test_c03_plan_edit_recomputes_pending_only_when_the_incident_adopts_it(org, at_t0):
    incident = detect(org, discovered_at=T0)
    plan = incident.plan
    new = revise_plan(plan, rules={"report": {"amount": 1, "clause": "C03"}},
                      change_note="改为 1 小时")
    incident.refresh_from_db()
    # An open incident keeps its version: still 2 hours.
    assert deadline(incident, DeadlineKind.REPORT).due_at == T0 + timedelta(hours=2)
    assert incident.plan_id == plan.pk
    actions.adopt_plan_version(incident, org.staff.user, plan=new, reason="执行新修订预案")
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.due_at == T0 + timedelta(hours=1) and row.clause == "C03"
    [entry] = events(incident, Event.DEADLINE_RECOMPUTED)
    assert entry.data["old_due_at"] == (T0 + timedelta(hours=2)).isoformat()
    assert _sweep_at(T0 + timedelta(hours=1)).breached == [row.pk]


def test_c08_warning_at_75_percent_of_the_window_once(org, at_t0):
    incident = detect(org, discovered_at=T0)
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.warn_at == T0 + timedelta(minutes=90)
    assert _sweep_at(T0 + timedelta(minutes=89)).warned == []
    assert _sweep_at(T0 + timedelta(minutes=90)).warned == [row.pk]
    assert _sweep_at(T0 + timedelta(minutes=91)).warned == []
    assert len(events(incident, Event.DEADLINE_WARNING)) == 1


def test_c19_written_summary_due_3_days_after_subsiding(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident)
    at_t0.shift(timedelta(hours=5))
    answer_approved(org, incident)
    actions.respond_incident(incident, org.handler.user, actions.Step(note="已答复网民"),
                             response="已在平台答复")
    summary = deadline(incident, DeadlineKind.SUMMARY)
    assert summary.clause == "C19"
    assert summary.due_at == T0 + timedelta(hours=5, days=3)
    at_t0.shift(timedelta(days=2))
    actions.file_summary(incident, org.handler.user, actions.Step(recipient="领导小组"))
    assert deadline(incident, DeadlineKind.SUMMARY).state == Deadline.State.MET


def test_c19_summary_missed_escalates_once(org, at_t0):
    incident = detect(org, discovered_at=T0)
    report(org, incident)
    classify(org, incident)
    answer_approved(org, incident)
    actions.respond_incident(incident, org.handler.user, actions.Step(note="已答复"),
                             response="已答复")
    due = deadline(incident, DeadlineKind.SUMMARY).due_at
    assert len(_sweep_at(due).breached) == 1
    assert _sweep_at(due + timedelta(days=1)).breached == []


def test_dismissing_cancels_pending_deadlines(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    actions.dismiss_incident(incident, org.staff.user, actions.Step(note="经核实为正常咨询"))
    assert not incident.deadlines.filter(state=Deadline.State.PENDING).exists()
    assert _sweep_at(T0 + timedelta(hours=5)).breached == []


def test_stale_eta_task_with_old_fence_does_nothing(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    row = deadline(incident, DeadlineKind.VERBAL_REPORT)
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        assert sweep.breach(row.pk, fence="00000000-0000-0000-0000-000000000000") is False
        assert sweep.breach(row.pk, fence=str(row.fence)) is True
        assert sweep.breach(row.pk, fence=str(row.fence)) is False
    assert Escalation.objects.filter(deadline=row).count() == 1


def test_eta_task_before_due_time_does_nothing(org, at_t0):
    incident = detect(org, discovered_at=T0, urgent=True)
    row = deadline(incident, DeadlineKind.VERBAL_REPORT)
    assert sweep.breach(row.pk, fence=str(row.fence)) is False
    row.refresh_from_db()
    assert row.state == Deadline.State.PENDING


def test_enforce_deadlines_command_runs_one_sweep(org, at_t0):
    from io import StringIO

    from django.core.management import call_command

    detect(org, discovered_at=T0, urgent=True)
    out = StringIO()
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        call_command("enforce_deadlines", "--once", stdout=out)
    assert "breached=1" in out.getvalue()


def test_c01_sweep_queues_the_eta_task_once_when_a_far_deadline_comes_within_the_horizon(
        org, at_t0, settings):
    settings.DEADLINE_ETA_HORIZON_SECONDS = 600
    incident = detect(org, discovered_at=T0)
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.eta_queued_at is None  # two hours away: beyond the horizon
    _sweep_at(T0 + timedelta(minutes=100))
    assert deadline(incident, DeadlineKind.REPORT).eta_queued_at is None
    _sweep_at(T0 + timedelta(minutes=111))
    queued = deadline(incident, DeadlineKind.REPORT).eta_queued_at
    assert queued == T0 + timedelta(minutes=111)
    _sweep_at(T0 + timedelta(minutes=112))
    assert deadline(incident, DeadlineKind.REPORT).eta_queued_at == queued


def test_c13_only_the_notified_owing_unit_or_office_may_acknowledge(org, at_t0):
    from opinion_ops.errors import NotPermitted
    from notifications.ladder import acknowledge

    incident = detect(org, discovered_at=T0)
    _sweep_at(T0 + timedelta(hours=2))
    escalation = Escalation.objects.get(deadline__incident=incident)
    with pytest.raises(NotPermitted):
        acknowledge(escalation, org.spokesperson.user, via="test")  # press group, not told
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.OPEN
    assert acknowledge(escalation, org.staff.user, via="test") is True  # the office may
