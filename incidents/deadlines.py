"""Obligations of the plan as Deadline rows: opened and met by the actions, breached by the sweep.

The row is the truth. The sweep (Celery beat, every second or so, or `enforce_deadlines`) finds
due rows through the partial index on due_at and claims each with a conditional UPDATE, acting
only when exactly one row changed: a second sweeper, a redelivered task or a restarted worker
finds nothing left to claim. ETA tasks may fire a deadline sooner, with a fencing token.

Every state change of a row (opened, recomputed, met, breached, cancelled) also appends a
DeadlineChange, the history an audit reads (C24). A breach the sweep recorded is never undone
by a step that later states an earlier time: the row stays breached and is met, recorded late.
"""
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events
from organisation.actors import acting_user
from organisation.models import Person, Unit
from plans.models import DeadlineKind, DeadlineRule, WindowAnchor
from plans.windows import due_after

from . import durations
from .models import Deadline, DeadlineChange, Event, Incident
from .timeline import record_event

logger = logging.getLogger(__name__)


# Obligations whose due time follows facts of their own (a slip's urgency, its extension, the
# cap after the post), not the incident's: recomputing them from the incident would undo those.
SET_BY_THEIR_OWN_FACTS = (DeadlineKind.REFERRAL_REPLY, DeadlineKind.REFERRAL_SUPERVISION,
                          DeadlineKind.PLAYBOOK_STEP)  # a playbook step has its own window


def local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def window_start(incident: Incident, rule: DeadlineRule, obligation_start: datetime) -> datetime:
    if rule.anchor == WindowAnchor.DISCOVERED:
        return incident.discovered_at
    if rule.anchor == WindowAnchor.VERBAL_REPORT:
        return incident.verbal_reported_at or obligation_start
    return obligation_start


def due_for(incident: Incident, rule: DeadlineRule, start: datetime,
            urgent: bool | None = None) -> datetime:
    """`urgent` overrides the incident's flag for an obligation urgent on its own (a slip)."""
    urgent = incident.urgent if urgent is None else urgent
    amount = rule.urgent_amount if (urgent and rule.urgent_amount) else rule.amount
    return due_after(start, amount, rule.unit)


def warn_time(incident: Incident, start: datetime, due: datetime) -> datetime | None:
    fraction = incident.plan.warn_at_fraction
    if not fraction:
        return None
    return start + (due - start) * float(fraction)


def eta_horizon() -> timedelta:
    """How far ahead an ETA task may be queued: under half the broker's visibility timeout, so
    Redis never redelivers a task a worker is still holding (Celery's documented caveat)."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return timedelta(seconds=min(settings.DEADLINE_ETA_HORIZON_SECONDS, visibility / 2))


def schedule_fast_path(deadline: Deadline) -> None:
    """Queue an ETA task for a deadline due soon; the sweep still covers it if the task is lost."""
    now = timezone.now()
    if deadline.due_at - now > eta_horizon():
        return
    if Deadline.objects.filter(pk=deadline.pk, fence=deadline.fence, eta_queued_at__isnull=True,
                               state=Deadline.State.PENDING).update(eta_queued_at=now) != 1:
        return
    deadline_id, fence, eta = deadline.pk, str(deadline.fence), deadline.due_at

    def send():
        from .tasks import fire_deadline

        try:
            fire_deadline.apply_async((deadline_id, fence), eta=eta, retry=False)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the action
            logger.warning("could not queue ETA task for deadline %s; the sweep will fire it",
                           deadline_id, exc_info=True)

    transaction.on_commit(send)


def append_change(deadline: Deadline, kind: str, *, actor=None, note: str = "",
                  stated_at: datetime | None = None,
                  recorded_at: datetime | None = None) -> DeadlineChange:
    """Append one row to the deadline's history, with the state the row has now (C24)."""
    return DeadlineChange.objects.create(
        deadline=deadline, kind=kind, state=deadline.state, actor=acting_user(actor),
        note=note, stated_at=stated_at, recorded_at=recorded_at or timezone.now())


def open_deadline(incident: Incident, kind: str, *, start: datetime, owed_by_unit: Unit,
                  owed_by_person: Person | None = None, actor=None,
                  repeat: bool = False, urgent: bool | None = None,
                  not_after: datetime | None = None,
                  due_at: datetime | None = None) -> Deadline | None:
    """Start an obligation of the incident's plan; once per kind unless `repeat` (follow-ups).

    `urgent` decides the urgent window for this obligation alone (an urgent referral slip);
    `not_after` caps the due time (C12: never later than the plan's limit after the post);
    `due_at` sets it outright (an extension granted after the sweep breached the first row).
    Returns None when the plan has no rule of that kind (the plan does not ask for it).
    """
    rule = incident.plan.rules.filter(kind=kind).first()
    if rule is None:
        return None
    existing = Deadline.objects.filter(incident=incident, kind=kind)
    if not repeat and existing.exists():
        return None
    sequence = (existing.aggregate(n=Max("sequence"))["n"] or 0) + 1
    begins = window_start(incident, rule, start)
    due = due_at or due_for(incident, rule, begins, urgent)
    if not_after is not None:
        due = min(due, not_after)
    deadline = Deadline.objects.create(
        incident=incident, kind=kind, sequence=sequence, rule=rule, clause=rule.clause,
        owed_by_unit=owed_by_unit, owed_by_person=owed_by_person, opened_at=begins, due_at=due,
        warn_at=warn_time(incident, begins, due))
    note = _("%(kind)s应于 %(due)s 前完成（%(rule)s）") % {
        "kind": deadline.get_kind_display(), "due": local_time(due), "rule": rule}
    record_event(incident, Event.DEADLINE_OPENED, actor, clause=rule.clause, occurred_at=start,
                 note=note, data={"deadline": deadline.pk, "kind": kind, "due_at": due.isoformat()})
    append_change(deadline, DeadlineChange.Kind.OPENED, actor=actor, note=note, stated_at=start)
    schedule_fast_path(deadline)
    return deadline


def meet(incident: Incident, kind: str, *, at: datetime, recorded_at: datetime | None = None,
         actor=None) -> list[Deadline]:
    """The obligation was done at `at` (the stated time), recorded at `recorded_at` (now).

    Each row still owed is settled once, by a conditional UPDATE: a pending row stated on time
    is met; stated after its due time, it is breached and met late (迟报). A row the sweep has
    already breached (perhaps meanwhile) stays breached with its breached_at, for good: the
    step only adds when it says it was done and when it was recorded, met late or, when the
    stated time is within the window, met and recorded late (补录). A later statement never
    undoes what was recorded (C21, C24).
    """
    return meet_rows(incident, Deadline.objects.filter(kind=kind), at=at,
                     recorded_at=recorded_at, actor=actor)


def meet_rows(incident: Incident, rows, *, at: datetime, recorded_at: datetime | None = None,
              actor=None) -> list[Deadline]:
    """`meet` for chosen rows of the incident (one referral slip's reply among several)."""
    recorded_at = recorded_at or timezone.now()
    met = []
    for deadline in rows.unsettled().filter(incident=incident):
        change = _settle(deadline, at, recorded_at, acting_user(actor))
        if change is None:
            continue
        deadline.refresh_from_db()
        note = _met_note(deadline, change)
        record_event(incident, Event.DEADLINE_MET, actor, clause=deadline.clause, occurred_at=at,
                     note=note,
                     data={"deadline": deadline.pk,
                           "on_time": deadline.state == Deadline.State.MET,
                           "minutes_late": deadline.minutes_late, "change": change,
                           "recorded_late": deadline.recorded_late,
                           "met_recorded_at": recorded_at.isoformat()})
        append_change(deadline, change, actor=actor, note=note, stated_at=at,
                      recorded_at=recorded_at)
        met.append(deadline)
    if met:
        events.publish(events.DEADLINES_MET, deadline_ids=[d.pk for d in met], at=at)
    return met


def _settle(deadline: Deadline, at: datetime, recorded_at: datetime, user) -> str | None:
    """Claim the row for the step; the kind of change made, or None if nothing was left."""
    Kind = DeadlineChange.Kind
    fulfilment = {"met_at": at, "met_recorded_at": recorded_at, "met_by": user}
    on_time = at <= deadline.due_at
    pending = Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.PENDING)
    if on_time and pending.update(state=Deadline.State.MET, **fulfilment) == 1:
        return Kind.MET_RECORDED_LATE if recorded_at > deadline.due_at else Kind.MET
    if not on_time and pending.update(state=Deadline.State.BREACHED, breached_at=F("due_at"),
                                      **fulfilment) == 1:
        return Kind.MET_LATE
    # The sweep recorded the breach first: it stands, and the step is added beside it.
    if Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.BREACHED,
                               met_at__isnull=True).update(**fulfilment) == 1:
        return Kind.MET_RECORDED_LATE if on_time else Kind.MET_LATE
    return None


def _met_note(deadline: Deadline, change: str) -> str:
    """What the timeline says of the step, with both its stated and its recorded time."""
    # By how much, in natural words (提前1小时40分, 迟3天), as the pages say it.
    values = {"kind": deadline.get_kind_display(), "by": durations.lateness(deadline.minutes_late),
              "stated": local_time(deadline.met_at),
              "recorded": local_time(deadline.met_recorded_at),
              "due": local_time(deadline.due_at)}
    if change == DeadlineChange.Kind.MET and deadline.minutes_late == 0:
        return _("%(kind)s按时履行（履行 %(stated)s，记录 %(recorded)s）") % values
    if change == DeadlineChange.Kind.MET:
        return _("%(kind)s按时履行，%(by)s（履行 %(stated)s，记录 %(recorded)s）") % values
    if change == DeadlineChange.Kind.MET_LATE:
        return _("%(kind)s逾期履行，%(by)s（履行 %(stated)s，记录 %(recorded)s）") % values
    if deadline.breached_at is not None:
        values["breached"] = local_time(deadline.breached_at)
        return _("%(kind)s补录：称于 %(stated)s 履行，%(recorded)s 才记录；已于 %(breached)s "
                 "判定超时，超时记录保留") % values
    return _("%(kind)s补录：称于 %(stated)s 履行，%(recorded)s 才记录（已过截止时间 "
             "%(due)s）") % values


def cancel_pending(incident: Incident, *, reason: str, actor=None,
                   kinds: list[str] | None = None, ids: list[int] | None = None) -> int:
    """Obligations that no longer exist (dismissed, merged, subsided, a slip approved)."""
    pending = Deadline.objects.filter(incident=incident, state=Deadline.State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    cancelled = 0
    for deadline in pending:
        if Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.PENDING) \
                .update(state=Deadline.State.CANCELLED) != 1:
            continue
        cancelled += 1
        deadline.state = Deadline.State.CANCELLED
        note = _("%(kind)s不再需要：%(reason)s") % {
            "kind": deadline.get_kind_display(), "reason": reason}
        record_event(incident, Event.DEADLINE_CANCELLED, actor, clause=deadline.clause,
                     note=note, data={"deadline": deadline.pk})
        append_change(deadline, DeadlineChange.Kind.CANCELLED, actor=actor, note=note)
    return cancelled


def move_due(deadline: Deadline, due: datetime, *, reason: str, actor=None) -> bool:
    """Move a pending obligation's due time to `due` (an extension granted, C12); a row the
    sweep has breached keeps its breach, and the caller opens a new one instead."""
    old_due, new_fence = deadline.due_at, uuid.uuid4()
    if Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.PENDING).update(
            due_at=due, warn_at=warn_time(deadline.incident, deadline.opened_at, due),
            fence=new_fence, eta_queued_at=None) != 1:
        return False
    deadline.due_at, deadline.fence = due, new_fence
    note = _("%(kind)s截止时间由 %(old)s 改为 %(new)s：%(reason)s") % {
        "kind": deadline.get_kind_display(), "old": local_time(old_due),
        "new": local_time(due), "reason": reason}
    record_event(deadline.incident, Event.DEADLINE_RECOMPUTED, actor, clause=deadline.clause,
                 note=note, data={"deadline": deadline.pk, "old_due_at": old_due.isoformat(),
                                  "due_at": due.isoformat()})
    append_change(deadline, DeadlineChange.Kind.RECOMPUTED, actor=actor, note=note)
    schedule_fast_path(deadline)
    return True


def recompute_pending(incident: Incident, *, reason: str, actor=None) -> int:
    """Re-derive the due times of pending rows from the incident's plan and facts."""
    changed = 0
    for deadline in Deadline.objects.filter(incident=incident, state=Deadline.State.PENDING) \
            .exclude(kind__in=SET_BY_THEIR_OWN_FACTS).select_related("rule"):
        rule = incident.plan.rules.filter(kind=deadline.kind).first() or deadline.rule
        begins = window_start(incident, rule, deadline.opened_at)
        due = due_for(incident, rule, begins)
        if due == deadline.due_at and rule.pk == deadline.rule_id:
            continue
        old_due, new_fence = deadline.due_at, uuid.uuid4()
        if Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.PENDING).update(
                rule=rule, clause=rule.clause, opened_at=begins, due_at=due,
                warn_at=warn_time(incident, begins, due), fence=new_fence,
                eta_queued_at=None) != 1:
            continue
        deadline.due_at, deadline.fence = due, new_fence
        changed += 1
        note = _("%(kind)s截止时间由 %(old)s 改为 %(new)s：%(reason)s") % {
            "kind": deadline.get_kind_display(), "old": local_time(old_due),
            "new": local_time(due), "reason": reason}
        record_event(incident, Event.DEADLINE_RECOMPUTED, actor, clause=rule.clause, note=note,
                     data={"deadline": deadline.pk, "old_due_at": old_due.isoformat(),
                           "due_at": due.isoformat()})
        append_change(deadline, DeadlineChange.Kind.RECOMPUTED, actor=actor, note=note)
        schedule_fast_path(deadline)
    return changed
