"""The reads of incidents, deadlines and escalations that the API, the admin and pages share.

Each queryset loads what its representation shows in a fixed number of queries (joins and
prefetches), so a list of fifty incidents costs the same as one.
"""
import operator
from datetime import datetime
from functools import reduce

from django.db import connections
from django.db.models import BooleanField, Func, Prefetch, Q, QuerySet, Value

from organisation import policy

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


class HasSearchKeys(Func):
    """`opinionops_search_keys(title, summary) @> opinionops_search_query_keys(text)`: the
    incidents whose title or summary could contain `text`, answered by the GIN index of
    incidents 0014 (PostgreSQL only); the expression is the index's, so the planner uses it."""

    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__("title", "summary", Value(text))

    def as_sql(self, compiler, connection, **extra):
        (title, p1), (summary, p2), (query, p3) = (
            compiler.compile(expression) for expression in self.get_source_expressions())
        return (f"opinionops_search_keys({title}, {summary}) "
                f"@> opinionops_search_query_keys({query})", (*p1, *p2, *p3))


def search(incidents: QuerySet, text: str, *, indexed: bool = True) -> QuerySet:
    """Incidents whose title or summary contains `text`, case-insensitive: the board's and the
    incident list's `q`. On PostgreSQL the index of incidents 0014 (characters and character
    pairs, so that a two-character word is served too) finds the candidates and icontains
    rechecks them; on SQLite it is icontains alone. Text without cased letters is matched as
    it is.

    `indexed=False` leaves the index's condition out, for a reader whose other filters already
    bound the rows read (the board's open incidents, read by state): wherever the planner reads
    rows through another index, it computes each row's keys to test them, about 50 µs a row,
    and icontains, which it must test anyway, is all the answer needs."""
    if text.lower() == text.upper():
        # No letter with a case in it (Chinese, digits): a plain LIKE finds the same rows, and
        # PostgreSQL tests it on each candidate three times faster than UPPER(...) LIKE, which
        # on a common word's 15,000 candidates is most of the search (bench/console.py).
        contains = Q(title__contains=text) | Q(summary__contains=text)
    else:
        contains = Q(title__icontains=text) | Q(summary__icontains=text)
    if not text or not indexed or connections[incidents.db].vendor != "postgresql":
        return incidents.filter(contains)
    return incidents.filter(HasSearchKeys(text), contains)


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
    return policy.may_act_on_incident(user, incident)


# ---------------------------------------------------------------- scoped by the access policy

def scope_filter(scope: policy.Scope) -> Q:
    """The access policy's scope as a filter over Incident (owner unit, owing unit, logger)."""
    if scope.everything:
        return Q()
    matches = []
    if scope.owned_by_units:
        matches.append(Q(owner_unit_id__in=scope.owned_by_units))
    if scope.discovered_by_people:
        matches.append(Q(discovered_by_id__in=scope.discovered_by_people))
    if scope.owed_by_units:
        # A subquery, not a join: an incident owing several deadlines is still one row.
        matches.append(Q(pk__in=Deadline.objects.filter(owed_by_unit_id__in=scope.owed_by_units)
                         .values("incident_id")))
    return reduce(operator.or_, matches, Q(pk__in=[]))  # none listed: no incident


def visible_incidents(user, among: QuerySet | None = None) -> QuerySet:
    """The incidents `user` may see (organisation.policy), of `among` (all incidents if None)."""
    among = Incident.objects.all() if among is None else among
    return among.filter(scope_filter(policy.incident_scope(user)))


def of_visible_incidents(user, rows: QuerySet, incident: str) -> QuerySet:
    """The rows of `rows` whose incident (the lookup path `incident`, e.g. "deadline__incident")
    `user` may see: what every reader of deadlines, escalations and deliveries filters by."""
    scope = policy.incident_scope(user)
    if scope.everything:
        return rows
    return rows.filter(**{f"{incident}__in": Incident.objects.filter(scope_filter(scope))
                          .values("pk")})


def visible_deadlines(user) -> QuerySet:
    return of_visible_incidents(user, deadlines(), "incident")


def visible_escalations(user) -> QuerySet:
    return of_visible_incidents(user, escalations(), "deadline__incident")
