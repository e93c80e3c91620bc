"""Obligations of the plan as Deadline rows: opened and met by the actions, breached by the sweep.

The row is the truth. The sweep (Celery beat, every second or so, or `enforce_deadlines`) finds
due rows through the partial index on due_at and claims each with a conditional UPDATE, acting
only when exactly one row changed: a second sweeper, a redelivered task or a restarted worker
finds nothing left to claim. ETA tasks may fire a deadline sooner, with a fencing token.
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import ladder as escalation
from .models import Deadline, Escalation, Event, Incident
from plans.models import DeadlineRule, WindowAnchor
from organisation.models import Person, Unit
from organisation.actors import acting_user
from .timeline import record_event
from plans.windows import due_after

logger = logging.getLogger(__name__)


def _local(moment: datetime) -> str:
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


def _schedule_fast_path(deadline: Deadline) -> None:
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
                     "kind": deadline.get_kind_display(), "due": _local(due), "rule": rule},
                 data={"deadline": deadline.pk, "kind": kind, "due_at": due.isoformat()})
    _schedule_fast_path(deadline)
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
        escalation.resolve_for_met_deadline(deadline)
        minutes = deadline.minutes_late
        record_event(incident, Event.DEADLINE_MET, actor, clause=deadline.clause, occurred_at=at,
                     note=(_("%(kind)s按时履行，提前 %(m)s 分钟") if on_time
                           else _("%(kind)s逾期履行，迟 %(m)s 分钟")) % {
                         "kind": deadline.get_kind_display(), "m": abs(minutes)},
                     data={"deadline": deadline.pk, "on_time": on_time,
                           "minutes_late": minutes})
        met.append(deadline)
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
                         "kind": deadline.get_kind_display(), "old": _local(old_due),
                         "new": _local(due), "reason": reason},
                     data={"deadline": deadline.pk, "old_due_at": old_due.isoformat(),
                           "due_at": due.isoformat()})
        _schedule_fast_path(deadline)
    return changed


def breach(deadline_id: int, *, now: datetime | None = None,
           fence: str | None = None) -> bool:
    """Claim one due pending row: mark it breached, record it and start its ladder, once."""
    now = now or timezone.now()
    claim = Deadline.objects.filter(pk=deadline_id, state=Deadline.State.PENDING,
                                    due_at__lte=now)
    if fence is not None:
        claim = claim.filter(fence=fence)
    with transaction.atomic():
        if claim.update(state=Deadline.State.BREACHED, breached_at=now) != 1:
            return False
        deadline = Deadline.objects.select_related(
            "incident__plan", "owed_by_unit", "owed_by_person").get(pk=deadline_id)
        lateness_ms = round((now - deadline.due_at).total_seconds() * 1000)
        record_event(deadline.incident, Event.DEADLINE_BREACHED, None, clause=deadline.clause,
                     note=_("%(kind)s已超过时限（截止 %(due)s，责任单位 %(unit)s）") % {
                         "kind": deadline.get_kind_display(), "due": _local(deadline.due_at),
                         "unit": deadline.owed_by_unit.name},
                     data={"deadline": deadline.pk, "detected_late_ms": lateness_ms})
        escalation.start_escalation(deadline, now)
    return True


def warn(deadline_id: int, *, now: datetime | None = None) -> bool:
    """Record the plan's early warning for a pending row, once."""
    now = now or timezone.now()
    with transaction.atomic():
        if Deadline.objects.filter(pk=deadline_id, state=Deadline.State.PENDING,
                                   warned_at__isnull=True, warn_at__lte=now) \
                .update(warned_at=now) != 1:
            return False
        deadline = Deadline.objects.select_related("incident").get(pk=deadline_id)
        remaining = max(0, round((deadline.due_at - now).total_seconds() / 60))
        record_event(deadline.incident, Event.DEADLINE_WARNING, None, clause=deadline.clause,
                     note=_("%(kind)s将于 %(due)s 到期，剩余约 %(m)s 分钟") % {
                         "kind": deadline.get_kind_display(), "due": _local(deadline.due_at),
                         "m": remaining},
                     data={"deadline": deadline.pk})
    return True


@dataclass
class SweepReport:
    breached: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    climbed: list[int] = field(default_factory=list)

    def __bool__(self):
        return bool(self.breached or self.warned or self.climbed)


def sweep(now: datetime | None = None, batch: int | None = None) -> SweepReport:
    """One pass over everything due: breaches, warnings and ladder rungs."""
    now = now or timezone.now()
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    report = SweepReport()
    due = (Deadline.objects.filter(state=Deadline.State.PENDING, due_at__lte=now)
           .order_by("due_at").values_list("pk", flat=True)[:batch])
    report.breached = [pk for pk in list(due) if breach(pk, now=now)]
    to_warn = (Deadline.objects.filter(state=Deadline.State.PENDING, warned_at__isnull=True,
                                       warn_at__lte=now)
               .order_by("warn_at").values_list("pk", flat=True)[:batch])
    report.warned = [pk for pk in list(to_warn) if warn(pk, now=now)]
    ladders = (Escalation.objects.filter(state=Escalation.State.OPEN, next_level_at__lte=now)
               .order_by("next_level_at").values_list("pk", flat=True)[:batch])
    report.climbed = [pk for pk in list(ladders) if escalation.climb(pk, now=now)]
    queue_upcoming(now, batch)
    return report


def queue_upcoming(now: datetime, batch: int) -> None:
    """Queue ETA tasks for rows that came within the horizon since they were opened, so that
    deadlines far ahead also fire within milliseconds rather than a sweep interval."""
    upcoming = (Deadline.objects.filter(state=Deadline.State.PENDING, eta_queued_at__isnull=True,
                                        due_at__gt=now, due_at__lte=now + eta_horizon())
                .order_by("due_at").only("pk", "fence", "due_at")[:batch])
    for deadline in upcoming:
        with transaction.atomic():
            _schedule_fast_path(deadline)

