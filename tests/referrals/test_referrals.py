"""Referral slips (抄告单, C11–C13) through the actions: the forwarding deadline, the 3/2
working-day replies across weekends and holidays, extensions capped at the plan's limit, the
office's approval or return, and supervision that repeats until the reply is approved."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from incidents import actions, sweep
from incidents.models import Channel, Deadline, Event
from notifications import ladder
from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from plans.models import DeadlineKind
from referrals import actions as referrals
from referrals.models import Referral, ReferralReply
from tests.factories import UnitFactory, incident_kwargs, person_with_role
from organisation import roles

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SH)
BEFORE_NATIONAL_DAY = datetime(2026, 9, 30, 10, 0, tzinfo=SH)  # Wednesday; 1–7 Oct holiday


def classified(org, at):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        discovered_at=at - timedelta(minutes=30)))
    incident = actions.report_incident(incident, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办"))
    return actions.classify_incident(incident, org.staff.user, category="inquiry",
                                     severity="general")


def refer(org, incident, urgent=False, co_units=()):
    return referrals.refer_incident(incident, org.staff.user, lead_unit=org.department,
                                    co_units=co_units, instruction="请教务处核实并答复网民",
                                    urgent=urgent)


def reply_rows(slip):
    return Deadline.objects.filter(incident=slip.incident, kind=DeadlineKind.REFERRAL_REPLY)


def test_c11_a_slip_issued_within_2_hours_meets_the_forwarding_deadline(org):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        incident = classified(org, FRIDAY)
        clock.shift(timedelta(minutes=90))
        slip = refer(org, incident)
    forward = Deadline.objects.get(incident=incident, kind=DeadlineKind.REFERRAL_FORWARD)
    assert forward.state == Deadline.State.MET and not forward.is_late
    entry = incident.timeline.get(event=Event.REFERRED)
    assert entry.clause == "C11" and "教务处" in entry.note and entry.actor == org.staff.user
    assert slip.reply_deadline.owed_by_unit == org.department


def test_c11_forwarding_not_done_in_2_hours_is_breached_by_the_sweep(org):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        incident = classified(org, FRIDAY)
        clock.shift(timedelta(hours=2, minutes=1))
        sweep.sweep()
    forward = Deadline.objects.get(incident=incident, kind=DeadlineKind.REFERRAL_FORWARD)
    assert forward.state == Deadline.State.BREACHED
    assert incident.timeline.filter(event=Event.DEADLINE_BREACHED, clause="C11").exists()


def test_c12_reply_due_in_3_working_days_across_a_weekend(org):
    with time_machine.travel(FRIDAY, tick=False):
        slip = refer(org, classified(org, FRIDAY))
    # Friday 27 Nov → Mon 30, Tue 1, Wed 2 Dec.
    assert slip.due_at == datetime(2026, 12, 2, 10, 0, tzinfo=SH)
    assert slip.reply_deadline.clause == "C12"


def test_c12_urgent_reply_due_in_2_working_days_across_a_holiday(org):
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        slip = refer(org, classified(org, BEFORE_NATIONAL_DAY), urgent=True)
    # Wed 30 Sep → (1–7 Oct National Day) Thu 8, Fri 9 Oct.
    assert slip.due_at == datetime(2026, 10, 9, 10, 0, tzinfo=SH)


def test_c12_reply_due_in_3_working_days_across_a_holiday_counts_the_make_up_saturday(org):
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        slip = refer(org, classified(org, BEFORE_NATIONAL_DAY))
    # Thu 8, Fri 9, Sat 10 Oct (调休 workday).
    assert slip.due_at == datetime(2026, 10, 10, 10, 0, tzinfo=SH)


def test_c12_an_extension_moves_the_due_time_but_never_past_5_days_after_the_post(org):
    with time_machine.travel(FRIDAY, tick=False):
        slip = refer(org, classified(org, FRIDAY))
        # Discovered Fri 27 Nov 09:30: five working days → Fri 4 Dec 09:30.
        assert slip.limit_at == datetime(2026, 12, 4, 9, 30, tzinfo=SH)
        with pytest.raises(InvalidInput) as refused:
            referrals.extend_referral(slip, org.handler.user,
                                      until=datetime(2026, 12, 4, 10, 0, tzinfo=SH),
                                      reason="需协调市场监管部门")
        assert "until" in refused.value.errors
        assert not slip.extensions.exists()
        slip = referrals.extend_referral(slip, org.handler.user,
                                         until=datetime(2026, 12, 4, 9, 0, tzinfo=SH),
                                         reason="需协调市场监管部门")
    owed = Deadline.objects.get(pk=slip.reply_deadline_id)
    assert owed.due_at == datetime(2026, 12, 4, 9, 0, tzinfo=SH)
    assert slip.incident.timeline.filter(event=Event.REFERRAL_EXTENDED).count() == 1
    assert slip.incident.timeline.filter(event=Event.DEADLINE_RECOMPUTED, clause="C12").exists()


def test_c12_only_an_approved_reply_closes_the_slip(org):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        slip = refer(org, classified(org, FRIDAY))
        clock.shift(timedelta(days=1))
        slip = referrals.reply_referral(slip, org.handler.user, body="经核实，食堂已整改并公示。")
        assert slip.state == Referral.State.AWAITING_APPROVAL
        assert Deadline.objects.get(pk=slip.reply_deadline_id).state == Deadline.State.MET
        slip = referrals.approve_reply(slip, org.staff.user, comment="同意按此答复网民")
    assert slip.state == Referral.State.APPROVED
    assert slip.replies.get().state == ReferralReply.State.APPROVED
    assert slip.incident.timeline.filter(event=Event.REFERRAL_APPROVED).count() == 1


def test_c12_a_returned_reply_reopens_the_deadline(org):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        slip = refer(org, classified(org, FRIDAY))
        slip = referrals.reply_referral(slip, org.handler.user, body="已处理")
        first = slip.reply_deadline_id
        clock.shift(timedelta(hours=2))
        slip = referrals.return_reply(slip, org.staff.user, comment="请写明整改措施和时限")
        assert slip.state == Referral.State.RETURNED
        reopened = Deadline.objects.get(pk=slip.reply_deadline_id)
        assert reopened.pk != first and reopened.state == Deadline.State.PENDING
        assert reopened.due_at <= slip.limit_at
        with pytest.raises(TransitionNotAllowed):
            referrals.approve_reply(slip, org.staff.user)
        slip = referrals.reply_referral(slip, org.handler.user, body="已整改：更换供餐企业。")
        slip = referrals.approve_reply(slip, org.staff.user)
    assert slip.state == Referral.State.APPROVED
    assert list(slip.replies.values_list("state", flat=True)) == ["returned", "approved"]
    assert reply_rows(slip).filter(state=Deadline.State.MET).count() == 2


def test_c13_an_overdue_slip_is_supervised_until_the_reply_is_approved(org):
    with time_machine.travel(FRIDAY, tick=False) as clock:
        slip = refer(org, classified(org, FRIDAY))
        clock.move_to(datetime(2026, 12, 2, 10, 1, tzinfo=SH))
        sweep.sweep()
        slip.refresh_from_db()
        first = Deadline.objects.get(pk=slip.supervision_deadline_id)
        assert first.kind == DeadlineKind.REFERRAL_SUPERVISION and first.clause == "C13"
        assert first.owed_by_unit == org.office
        assert first.due_at == datetime(2026, 12, 3, 10, 1, tzinfo=SH)  # one working day

        # Nobody chases: the supervision is breached and escalated; acknowledging the
        # escalation does not end the obligation.
        clock.move_to(datetime(2026, 12, 3, 10, 2, tzinfo=SH))
        sweep.sweep()
        first.refresh_from_db()
        assert first.state == Deadline.State.BREACHED
        assert ladder.acknowledge(first.escalation, org.staff.user, via="web")
        first.refresh_from_db()
        assert first.is_unsettled

        slip = referrals.supervise_referral(slip, org.staff.user, channel=Channel.PHONE,
                                            note="电话督办钱承办，承诺明日中午前书面答复")
        first.refresh_from_db()
        assert first.met_at is not None and first.is_late
        second = Deadline.objects.get(pk=slip.supervision_deadline_id)
        assert second.pk != first.pk and second.state == Deadline.State.PENDING

        slip = referrals.reply_referral(slip, org.handler.user, body="已书面答复")
        slip = referrals.approve_reply(slip, org.staff.user)
    second.refresh_from_db()
    assert second.state == Deadline.State.CANCELLED
    chase = slip.supervisions.get()
    assert chase.channel == Channel.PHONE and chase.supervised_by == org.staff.user
    assert "承诺" in chase.note
    assert slip.incident.timeline.filter(event=Event.REFERRAL_SUPERVISED, clause="C13").count() == 1


def test_c12_only_the_lead_unit_replies_and_only_the_office_approves(org):
    other = UnitFactory(name="后勤处")
    outsider = person_with_role(roles.DEPARTMENT_HANDLER, other, "孙后勤", "logistics")
    with time_machine.travel(FRIDAY, tick=False):
        slip = refer(org, classified(org, FRIDAY), co_units=[other])
        with pytest.raises(NotPermitted):
            referrals.reply_referral(slip, outsider.user, body="由后勤处答复")
        slip = referrals.reply_referral(slip, org.handler.user, body="已核实")
        with pytest.raises(NotPermitted):
            referrals.approve_reply(slip, org.handler.user)
    assert slip.replies.count() == 1


def test_c11_only_the_office_issues_a_slip(org):
    with time_machine.travel(FRIDAY, tick=False):
        incident = classified(org, FRIDAY)
        with pytest.raises(NotPermitted):
            referrals.refer_incident(incident, org.leader.user, lead_unit=org.department,
                                     instruction="请核实")
    assert not Referral.objects.exists()
