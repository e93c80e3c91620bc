"""Obligations of the plan as Deadline rows: opened and met by the actions, breached by the sweep.

The row is the truth. The sweep (Celery beat, every second or so, or `enforce_deadlines`) finds
due rows through the partial index on due_at and claims each with a conditional UPDATE, acting
only when exactly one row changed: a second sweeper, a redelivered task or a restarted worker
finds nothing left to claim. ETA tasks may fire a deadline sooner, with a fencing token.
"""
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events
from organisation.actors import acting_user
from organisation.models import Person, Unit
from plans.models import DeadlineRule, WindowAnchor
from plans.windows import due_after

from .models import Deadline, Event, Incident
from .timeline import record_event

logger = logging.getLogger(__name__)


def local_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def window_start(incident: Incident, rule: DeadlineRule, obligation_start: datetime) -> datetime:
    if rule.anchor == WindowAnchor.DISCOVERED:
        return incident.discovered_at
    if rule.anchor == WindowAnchor.VERBAL_REPORT:
        return incident.verbal_reported_at or obligation_start
    return obligation_start


def due_for(incident: Incident, rule: DeadlineRule, start: datetime) -> datetime:
    amount = rule.urgent_amount if (incident.urgent and rule.urgent_amount) else rule.amount
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


def open_deadline(incident: Incident, kind: str, *, start: datetime, owed_by_unit: Unit,
                  owed_by_person: Person | None = None, actor=None,
                  repeat: bool = False) -> Deadline | None:
    """Start an obligation of the incident's plan; once per kind unless `repeat` (follow-ups).

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
    due = due_for(incident, rule, begins)
    deadline = Deadline.objects.create(
        incident=incident, kind=kind, sequence=sequence, rule=rule, clause=rule.clause,
        owed_by_unit=owed_by_unit, owed_by_person=owed_by_person, opened_at=begins, due_at=due,
        warn_at=warn_time(incident, begins, due))
    record_event(incident, Event.DEADLINE_OPENED, actor, clause=rule.clause, occurred_at=start,
                 note=_("%(kind)s应于 %(due)s 前完成（%(rule)s）") % {
                     "kind": deadline.get_kind_display(), "due": local_time(due), "rule": rule},
                 data={"deadline": deadline.pk, "kind": kind, "due_at": due.isoformat()})
    schedule_fast_path(deadline)
    return deadline


def meet(incident: Incident, kind: str, *, at: datetime, actor=None) -> list[Deadline]:
    """The obligation was done at `at`: close its pending row(s), on time or late."""
    met = []
    for deadline in Deadline.objects.filter(incident=incident, kind=kind, met_at__isnull=True,
                                            state__in=[Deadline.State.PENDING,
                                                       Deadline.State.BREACHED]):
        on_time = at <= deadline.due_at
        # Conditional on met_at: the sweeper may breach the row meanwhile, and a breach the
        # sweep saw first still counts as met when the step was in fact done in time.
        changed = Deadline.objects.filter(
            pk=deadline.pk, met_at__isnull=True,
            state__in=[Deadline.State.PENDING, Deadline.State.BREACHED],
        ).update(state=Deadline.State.MET if on_time else Deadline.State.BREACHED,
                 met_at=at, met_by=acting_user(actor),
                 breached_at=None if on_time else Coalesce(F("breached_at"), F("due_at")))
        if changed != 1:
            continue
        deadline.refresh_from_db()
        minutes = deadline.minutes_late
        record_event(incident, Event.DEADLINE_MET, actor, clause=deadline.clause, occurred_at=at,
                     note=(_("%(kind)s按时履行，提前 %(m)s 分钟") if on_time
                           else _("%(kind)s逾期履行，迟 %(m)s 分钟")) % {
                         "kind": deadline.get_kind_display(), "m": abs(minutes)},
                     data={"deadline": deadline.pk, "on_time": on_time,
                           "minutes_late": minutes})
        met.append(deadline)
    if met:
        events.publish(events.DEADLINES_MET, deadline_ids=[d.pk for d in met], at=at)
    return met


def cancel_pending(incident: Incident, *, reason: str, actor=None,
                   kinds: list[str] | None = None) -> int:
    """Obligations that no longer exist (dismissed, merged, subsided)."""
    pending = Deadline.objects.filter(incident=incident, state=Deadline.State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    cancelled = 0
    for deadline in pending:
        if Deadline.objects.filter(pk=deadline.pk, state=Deadline.State.PENDING) \
                .update(state=Deadline.State.CANCELLED) != 1:
            continue
        cancelled += 1
        record_event(incident, Event.DEADLINE_CANCELLED, actor, clause=deadline.clause,
                     note=_("%(kind)s不再需要：%(reason)s") % {
                         "kind": deadline.get_kind_display(), "reason": reason},
                     data={"deadline": deadline.pk})
    return cancelled


def recompute_pending(incident: Incident, *, reason: str, actor=None) -> int:
    """Re-derive the due times of pending rows from the incident's plan and facts."""
    changed = 0
    for deadline in Deadline.objects.filter(incident=incident, state=Deadline.State.PENDING) \
            .select_related("rule"):
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
        record_event(incident, Event.DEADLINE_RECOMPUTED, actor, clause=rule.clause,
                     note=_("%(kind)s截止时间由 %(old)s 改为 %(new)s：%(reason)s") % {
                         "kind": deadline.get_kind_display(), "old": local_time(old_due),
                         "new": local_time(due), "reason": reason},
                     data={"deadline": deadline.pk, "old_due_at": old_due.isoformat(),
                           "due_at": due.isoformat()})
        schedule_fast_path(deadline)
    return changed
