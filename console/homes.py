"""The reads behind each role's home: open incidents by their next deadline, overdue first.

Every list is scoped by the access policy first (incidents.selectors.visible_incidents), and
"overdue" and "still owed" are DeadlineQuerySet's. Each read costs a fixed number of queries
whatever the number of incidents: each list ranks its incidents' ids by their deadlines still
owed (one join, answered from the partial index deadline_unsettled_idx), then one query reads
the ranked incidents of every list and one their deadlines; the board ranks each state's
column with a cap.
"""
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections
from django.db.models import (Case, Count, Exists, F, FilteredRelation, Min, OuterRef, Prefetch,
                              QuerySet, Value, When)

from incidents import selectors
from incidents.models import OPEN_STATES, Deadline, Incident, Severity
from incidents.models.deadline import overdue_condition, unsettled_condition
from organisation import policy, roles
from responses import approval
from responses.models import Decision, DraftVersion, ResponseDraft

# The most cards one column of the board shows; the rest are a link to the incident list.
BOARD_COLUMN_LIMIT = 20
MY_INCIDENTS_LIMIT = 50
MAJOR = [Severity.MAJOR, Severity.ESPECIALLY_MAJOR]


def home_of(user) -> str:
    """Which home a user lands on: the office's board, leadership's, the duty officer's, the
    auditor's, or (handlers, spokespeople) their own open incidents."""
    if policy.is_office(user):
        return "board"
    if user.groups.filter(name=roles.LEADERSHIP_MEMBER).exists():
        return "leadership"
    if policy.is_duty_officer(user):
        return "duty"
    if user.has_perm("audit.view_audit"):
        return "auditor"
    return "mine"


def ranking(incidents: QuerySet, now: datetime) -> QuerySet:
    """`incidents` with `next_due` (the earliest deadline still owed) and `overdue_rank` (0 when
    one of them is overdue, else 1), ordered overdue first, then by next due time (none last),
    then newest.

    Both figures come from one LEFT JOIN to the deadlines still owed, grouped per incident: the
    join's condition is `unsettled`, so deadline_unsettled_idx answers it. A filter on the
    result is a HAVING over the groups: filter `incidents` before."""
    return (incidents
            .annotate(owed=FilteredRelation("deadlines",
                                            condition=unsettled_condition("deadlines__")))
            .annotate(next_due=Min("owed__due_at"),
                      overdue_rank=Min(Case(When(overdue_condition(now, "owed__"), then=0),
                                            default=1)))
            .order_by("overdue_rank", F("next_due").asc(nulls_last=True), "-pk"))


def first_by_next_deadline(lists: dict, now: datetime, limit: int) -> dict[object, list[Incident]]:
    """For each queryset of `lists` (by any key), its first `limit` incidents by next deadline
    (`ranking`), each with `next_due`, `is_overdue` and its deadlines still owed
    (`open_deadlines`, by due time).

    In two steps: each list ranks its incidents' ids alone, then one query reads every list's
    incidents for the page and one their deadlines. Ranking whole rows was the first version:
    on a board column of 1,250 open incidents the database sorted the wide rows to group them,
    and the correlated subqueries before that read the index twice per incident (11 ms a
    column against 4 for the ids, bench/console.py)."""
    ranks = _ranks(lists, now, limit)
    wanted = [pk for ranked in ranks.values() for pk, _, _ in ranked]
    found = (Incident.objects.select_related("owner_unit").prefetch_related(Prefetch(
        "deadlines", to_attr="open_deadlines",
        queryset=Deadline.objects.unsettled().select_related("owed_by_unit")
        .order_by("due_at", "id"))).in_bulk(wanted)) if wanted else {}
    result = {}
    for key, ranked in ranks.items():
        result[key] = []
        for pk, next_due, overdue_rank in ranked:
            incident = found.get(pk)
            if incident is None:  # gone between the two reads (merged away, deleted)
                continue
            incident.next_due, incident.is_overdue = next_due, overdue_rank == 0
            result[key].append(incident)
    return result


def _ranks(lists: dict, now: datetime, limit: int) -> dict[object, list[tuple]]:
    """Each list's first `limit` (pk, next_due, overdue_rank), by `ranking`. Where the database
    takes a LIMIT inside a UNION ALL (PostgreSQL), the lists are ranked in one round trip: on
    the board that is one query for its four columns instead of four."""
    keys = list(lists)
    parts = [ranking(lists[key], now).annotate(list_no=Value(n))
             .values_list("list_no", "pk", "next_due", "overdue_rank")[:limit]
             for n, key in enumerate(keys)]
    ranks = {key: [] for key in keys}
    if len(parts) > 1 and connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        rows = parts[0].union(*parts[1:], all=True)
    else:
        rows = (row for part in parts for row in part)
    for list_no, *rank in rows:
        ranks[keys[list_no]].append(tuple(rank))
    for ranked in ranks.values():  # a UNION keeps no order: each list's own, again
        ranked.sort(key=lambda rank: (rank[2], rank[1] is None, rank[1] or now, -rank[0]))
    return ranks


def _first(incidents: QuerySet, now: datetime, limit: int) -> list[Incident]:
    return first_by_next_deadline({None: incidents}, now, limit)[None]


def overdue_only(incidents: QuerySet, now: datetime) -> QuerySet:
    """The incidents owing a deadline that is overdue (DeadlineQuerySet.overdue)."""
    return incidents.filter(Exists(Deadline.objects.overdue(now).filter(incident=OuterRef("pk"))))


def visible_open(user) -> QuerySet:
    return selectors.visible_incidents(user, Incident.objects.filter(state__in=OPEN_STATES))


def my_open_incidents(user, now: datetime) -> list[Incident]:
    """What a duty officer, a handler or a spokesperson has open, by next deadline."""
    return _first(visible_open(user), now, MY_INCIDENTS_LIMIT)


def major_open_incidents(user, now: datetime) -> list[Incident]:
    return _first(visible_open(user).filter(severity__in=MAJOR), now, MY_INCIDENTS_LIMIT)


def overdue_open_incidents(user, now: datetime) -> list[Incident]:
    return _first(overdue_only(visible_open(user), now), now, MY_INCIDENTS_LIMIT)


@dataclass
class Column:
    state: str
    label: str
    count: int
    incidents: list[Incident] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.incidents)


def board(user, now: datetime, *, search: str = "", severity: str = "", unit=None,
          urgent: bool = False, overdue: bool = False) -> list[Column]:
    """The office's board: one column per open state, each sorted by next deadline with the
    overdue first, at most BOARD_COLUMN_LIMIT cards, with the filters applied."""
    incidents = visible_open(user)
    if search:
        # Open incidents are a small share of the table and each column reads its state's
        # through the state index, so the text is matched row by row: the search index's
        # keys, read as a filter, cost more than they save (selectors.search).
        incidents = selectors.search(incidents, search, indexed=False)
    if severity:
        incidents = incidents.filter(severity=severity)
    if unit is not None:
        incidents = incidents.filter(owner_unit=unit)
    if urgent:
        incidents = incidents.filter(urgent=True)
    if overdue:
        incidents = overdue_only(incidents, now)
    # A query per column, each a top-N sort of its state's incidents. One query ranking every
    # column with a window per state was tried: PostgreSQL then sorts all open incidents in
    # full and it cost four times as much as the four columns.
    counts = dict(incidents.order_by().values_list("state").annotate(n=Count("pk")))
    cards = first_by_next_deadline({state: incidents.filter(state=state)
                                    for state in OPEN_STATES if counts.get(state)},
                                   now, BOARD_COLUMN_LIMIT)
    return [Column(state=state, label=state.label, count=counts.get(state, 0),
                   incidents=cards.get(state, []))
            for state in OPEN_STATES]


DRAFTS_SHOWN = 20


@dataclass
class AwaitingDraft:
    draft: object  # responses.models.ResponseDraft
    rule: object  # the plans.ApprovalRule it is approved under
    due_at: datetime | None  # its approval window (C16), when one is open


def drafts_awaiting(user) -> list[AwaitingDraft]:
    """Reply drafts whose current version waits for this user's approval (C16): pending, on an
    incident they see, under a rule that names them, not written by them and not yet decided by
    them. The approvers of a rule depend on the incident (its accountable leader, its unit's
    head), so each candidate is checked by responses.approval; the candidates are capped.

    A fixed number of queries whatever the number of drafts: the plans' rules and the drafts'
    versions (with their approval windows) are prefetched, and the approvers are read once per
    rule and owner unit."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    incidents = selectors.visible_incidents(user, Incident.objects.filter(state__in=OPEN_STATES))
    candidates = (ResponseDraft.objects.filter(state=ResponseDraft.State.PENDING,
                                               incident__in=incidents)
                  .exclude(Exists(Decision.objects.filter(
                      version__draft=OuterRef("pk"), version__number=OuterRef("version"),
                      approver=person)))
                  .select_related("incident__accountable_leader", "incident__owner_unit",
                                  "incident__plan")
                  .prefetch_related("incident__plan__approval_rules", Prefetch(
                      "versions", queryset=DraftVersion.objects.select_related(
                          "approval_deadline")))
                  .order_by("created_at", "id")[:DRAFTS_SHOWN * 2])
    approvers_of: dict[tuple, set[int]] = {}
    waiting = []
    for draft in candidates:
        rule = approval.rule_for(draft.incident, draft.kind)
        if rule is None or user.pk in approval.authors(draft):
            continue
        # Who approves depends on the rule and, for a unit head, on the incident's unit (or,
        # for the accountable leader, on the incident itself): read once per such key.
        key = (rule.pk, draft.incident.owner_unit_id, draft.incident.accountable_leader_id)
        if key not in approvers_of:
            approvers_of[key] = {p.pk for p in approval.approvers(draft.incident, rule)}
        if person.pk not in approvers_of[key]:
            continue
        version = next((v for v in draft.versions.all() if v.number == draft.version), None)
        window = version.approval_deadline if version is not None else None
        waiting.append(AwaitingDraft(draft, rule, window.due_at if window else None))
    return waiting[:DRAFTS_SHOWN]
