"""The verbs of a referral slip (抄告单, C11–C13): refer, reply, extend, approve, return, supervise.

Each runs in the incident core's step context (the incident locked, its timeline written, its
revision bumped) with the slip locked beside it; deadlines are opened, moved, met and cancelled
through incidents.deadlines, never written here. Who may act on a slip is declared once in
referrals.rules (the role's permission, the states, then the unit: the lead unit replies, the
office reviews and supervises); `_slip_step` applies it.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import deadlines, playbooks
from incidents.actions.step import Step, StepContext, step_context
from incidents.deadlines import local_time
from incidents.models import Channel, Deadline, Event, Incident
from opinion_ops import events
from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from organisation import policy
from organisation.models import Unit
from plans.models import DeadlineKind
from plans.windows import due_after

from . import rules
from .models import Referral, ReferralExtension, ReferralReply, Supervision


def refer_incident(incident: Incident, actor, *, lead_unit: Unit, co_units=(),
                   instruction: str, urgent: bool = False, step: Step = Step(),
                   expected_revision: int | None = None) -> Referral:
    """C11, C12: the office issues a referral slip to a lead unit (and co-units) with the
    leader's instruction (批办意见). It meets the forwarding obligation (2 hours after
    judgement, C11) and opens the lead unit's written reply: the plan's 3 working days, 2 for
    an urgent slip, never later than the plan's limit after the post (C12)."""
    co_units = list(co_units)
    errors = {}
    if not instruction.strip():
        errors["instruction"] = _("请填写领导批办意见")
    if lead_unit in co_units:
        errors["co_units"] = _("牵头单位不能同时是协办单位")
    if lead_unit.kind == Unit.Kind.OFFICE:
        errors["lead_unit"] = _("抄告单应转至职能部门，不能转给舆情办自身")
    if errors:
        raise InvalidInput(errors)
    if actor is not None and not policy.is_office(actor):
        raise NotPermitted(_("只有舆情办可以签发抄告单"))
    with step_context(incident, actor, "refer", step, expected_revision=expected_revision) as s:
        locked = s.incident
        number = (locked.referrals.aggregate(n=Max("number"))["n"] or 0) + 1
        limit_at = reply_limit(locked)
        referral = Referral.objects.create(
            incident=locked, number=number, lead_unit=lead_unit, instruction=instruction,
            urgent=urgent, issued_at=s.at, issued_by=s.actor, limit_at=limit_at)
        referral.co_units.set(co_units)
        s.record(Event.REFERRED, clause="C11", recipient=lead_unit.name,
                 note=_("抄告单第 %(n)s 号转%(lead)s%(co)s办理%(urgent)s；批办意见：%(text)s") % {
                     "n": number, "lead": lead_unit.name,
                     "co": _("（协办：%s）") % "、".join(u.name for u in co_units)
                     if co_units else "",
                     "urgent": _("（紧急件）") if urgent else "", "text": instruction},
                 data={"referral": referral.pk, "lead_unit": lead_unit.pk,
                       "co_units": [u.pk for u in co_units], "urgent": urgent})
        s.meet(DeadlineKind.REFERRAL_FORWARD)
        playbooks.hand_to_lead_unit(locked, lead_unit, actor=s.actor)  # C10a–d
        _owe_reply(s, referral)
        # The slip's document (briefings, C11) is made with it.
        events.publish(events.REFERRAL_ISSUED, referral_id=referral.pk, incident_id=locked.pk)
    return referral


def reply_limit(incident: Incident) -> datetime:
    """C12: the latest the netizen may be answered: the plan's limit after the post. The post's
    own time is not recorded, so it counts from discovery, the earliest time the office knew."""
    plan = incident.plan
    return due_after(incident.discovered_at, plan.referral_reply_limit_days,
                     plan.referral_reply_limit_unit)


def reply_referral(referral: Referral, actor, *, body: str, step: Step = Step()) -> Referral:
    """C12: the lead unit replies in writing; the reply is owed within the slip's window and
    counts as the answer to the netizen only once the office approves it."""
    if not body.strip():
        raise InvalidInput({"body": _("请填写答复内容")})
    with _slip_step(referral, actor, "reply", step) as (s, slip):
        ReferralReply.objects.create(referral=slip, body=body, submitted_by=s.actor,
                                     submitted_at=s.at)
        slip.state = Referral.State.AWAITING_APPROVAL
        slip.save(update_fields=["state"])
        s.record(Event.REFERRAL_REPLIED, clause="C12", channel=Channel.WRITTEN,
                 recipient=_("舆情办"), note=_("%(unit)s书面答复抄告单第 %(n)s 号：%(body)s") % {
                     "unit": slip.lead_unit.name, "n": slip.number, "body": body},
                 data={"referral": slip.pk})
        if slip.reply_deadline_id:
            deadlines.meet_rows(s.incident, Deadline.objects.filter(pk=slip.reply_deadline_id),
                                at=s.at, recorded_at=s.now, actor=s.actor)
    return slip


def extend_referral(referral: Referral, actor, *, until: datetime, reason: str) -> Referral:
    """C12: an extension moves the reply's due time, with a reason, but never past the plan's
    limit after the post (5 days in the shipped plans)."""
    errors = {}
    if not reason.strip():
        errors["reason"] = _("请说明延期理由")
    if timezone.is_naive(until):
        errors["until"] = _("时间必须包含时区偏移")
    if errors:
        raise InvalidInput(errors)
    with _slip_step(referral, actor, "extend", Step(note=reason)) as (s, slip):
        previous = slip.due_at
        if until <= s.now or (previous is not None and until <= previous):
            raise InvalidInput({"until": _("延期后的时间必须晚于当前截止时间（%s）")
                                % local_time(previous or s.now)})
        if until > slip.limit_at:
            raise InvalidInput({"until": _("答复网民不得晚于 %s（预案规定的最长期限）")
                                % local_time(slip.limit_at)})
        ReferralExtension.objects.create(referral=slip, requested_by=s.actor,
                                         recorded_at=s.now, previous_due_at=previous or s.now,
                                         until=until, reason=reason)
        s.record(Event.REFERRAL_EXTENDED, clause="C12",
                 note=_("抄告单第 %(n)s 号答复期限延至 %(until)s：%(reason)s") % {
                     "n": slip.number, "until": local_time(until), "reason": reason},
                 data={"referral": slip.pk, "until": until.isoformat()})
        owed = slip.reply_deadline
        if owed is None or not deadlines.move_due(owed, until, reason=reason, actor=s.actor):
            # The sweep has breached the row: the breach stands, and the new date is owed anew.
            _owe_reply(s, slip, due_at=until)
        slip.due_at = until
        slip.save(update_fields=["due_at"])
    return slip


def approve_reply(referral: Referral, actor, *, comment: str = "",
                  step: Step = Step()) -> Referral:
    """C12, C13: the office approves the lead unit's reply; only this closes the slip, counts
    as the answer to the netizen and ends supervision."""
    with _slip_step(referral, actor, "approve", replace(step, note=comment)) as (s, slip):
        reply = slip.replies.filter(state=ReferralReply.State.SUBMITTED).latest("submitted_at")
        _review(reply, s, ReferralReply.State.APPROVED, comment)
        slip.state, slip.approved_at = Referral.State.APPROVED, s.at
        slip.save(update_fields=["state", "approved_at"])
        s.record(Event.REFERRAL_APPROVED, clause="C12",
                 note=_("审定%(unit)s对抄告单第 %(n)s 号的答复%(comment)s") % {
                     "unit": slip.lead_unit.name, "n": slip.number,
                     "comment": "：" + comment if comment else ""},
                 data={"referral": slip.pk, "reply": reply.pk})
        if slip.supervision_deadline_id:
            deadlines.cancel_pending(s.incident, reason=_("抄告单答复已审定"), actor=s.actor,
                                     ids=[slip.supervision_deadline_id])
    return slip


def return_reply(referral: Referral, actor, *, comment: str, step: Step = Step()) -> Referral:
    """C12: the office returns the reply with comments; the lead unit owes a new reply, in a
    new window of the plan's length, still never past the limit after the post."""
    if not comment.strip():
        raise InvalidInput({"comment": _("请填写退回意见")})
    with _slip_step(referral, actor, "return", replace(step, note=comment)) as (s, slip):
        reply = slip.replies.filter(state=ReferralReply.State.SUBMITTED).latest("submitted_at")
        _review(reply, s, ReferralReply.State.RETURNED, comment)
        slip.state = Referral.State.RETURNED
        slip.save(update_fields=["state"])
        s.record(Event.REFERRAL_RETURNED, clause="C12", recipient=slip.lead_unit.name,
                 note=_("退回%(unit)s对抄告单第 %(n)s 号的答复：%(comment)s") % {
                     "unit": slip.lead_unit.name, "n": slip.number, "comment": comment},
                 data={"referral": slip.pk, "reply": reply.pk})
        _owe_reply(s, slip)
    return slip


def supervise_referral(referral: Referral, actor, *, channel: str, note: str,
                       step: Step = Step()) -> Referral:
    """C13: the office chases the lead unit of an overdue slip (督办): who, how, when and what
    was promised. A chase meets the supervision owed now and, until the reply is approved,
    opens the next one on the plan's cadence; acknowledging an escalation does neither."""
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("方式无效：%s") % channel
    if not note.strip():
        errors["note"] = _("请填写督办情况及对方承诺")
    if errors:
        raise InvalidInput(errors)
    with _slip_step(referral, actor, "supervise", step) as (s, slip):
        owed = slip.supervision_deadline
        Supervision.objects.create(referral=slip, supervised_by=s.actor, supervised_at=s.at,
                                   channel=channel, note=note, deadline=owed)
        s.record(Event.REFERRAL_SUPERVISED, clause="C13", channel=channel,
                 recipient=slip.lead_unit.name,
                 note=_("督办%(unit)s（抄告单第 %(n)s 号）：%(note)s") % {
                     "unit": slip.lead_unit.name, "n": slip.number, "note": note},
                 data={"referral": slip.pk})
        if owed is not None and owed.is_unsettled:
            deadlines.meet_rows(s.incident, Deadline.objects.filter(pk=owed.pk), at=s.at,
                                recorded_at=s.now, actor=s.actor)
            _owe_supervision(slip, s.at, s.actor)
    return slip


def supervise_overdue(deadline_ids: list[int], at: datetime) -> list[Referral]:
    """C13: a slip whose reply deadline the sweep has breached is put under supervision: the
    office owes a chase within the plan's cadence. Runs inside the breach's transaction."""
    slips = list(Referral.objects.select_for_update(of=("self",))
                 .filter(reply_deadline_id__in=deadline_ids, state__in=Referral.AWAITING_UNIT)
                 .select_related("incident__plan", "lead_unit"))
    for slip in slips:
        current = slip.supervision_deadline
        if current is None or not current.is_unsettled:
            _owe_supervision(slip, at, None)
    return slips


# ------------------------------------------------------------------------------ the mechanics

@contextmanager
def _slip_step(referral: Referral, actor, verb_name: str,
               step: Step) -> Iterator[tuple[StepContext, Referral]]:
    """The incident's step context for a verb on one slip, with the slip locked inside it:
    the role's permission first, then the slip's state, then whose unit the verb is for, as
    referrals.rules declares them."""
    verb = rules.SLIP_VERBS[verb_name]
    if not rules.has_permission(actor, verb):
        raise NotPermitted(_("您的角色无权办理此抄告单事项"))
    with step_context(referral.incident, actor, verb.permission, step, authorised=True,
                      open_only=False) as s:
        slip = (Referral.objects.select_for_update(of=("self",))
                .select_related("lead_unit", "reply_deadline", "supervision_deadline")
                .get(pk=referral.pk))
        if slip.state not in verb.states:
            raise TransitionNotAllowed(verb_name, slip.state, slip.get_state_display())
        rules.authorise(actor, verb, slip)
        yield s, slip


def _review(reply: ReferralReply, s: StepContext, state: str, comment: str) -> None:
    reply.state, reply.reviewed_by, reply.reviewed_at = state, s.actor, s.at
    reply.review_comment = comment
    reply.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])


def _owe_reply(s: StepContext, slip: Referral, *, due_at: datetime | None = None) -> None:
    """Open the lead unit's reply obligation for the slip (C12)."""
    owed = deadlines.open_deadline(
        s.incident, DeadlineKind.REFERRAL_REPLY, start=s.at, owed_by_unit=slip.lead_unit,
        actor=s.actor, repeat=True, urgent=slip.urgent, not_after=slip.limit_at, due_at=due_at)
    if owed is not None:
        slip.reply_deadline, slip.due_at = owed, owed.due_at
        slip.save(update_fields=["reply_deadline", "due_at"])


def _owe_supervision(slip: Referral, start: datetime, actor) -> None:
    office = Unit.objects.filter(kind=Unit.Kind.OFFICE).first() or slip.incident.owner_unit
    owed = deadlines.open_deadline(slip.incident, DeadlineKind.REFERRAL_SUPERVISION,
                                   start=start, owed_by_unit=office, actor=actor, repeat=True)
    if owed is not None:
        slip.supervision_deadline = owed
        slip.save(update_fields=["supervision_deadline"])
