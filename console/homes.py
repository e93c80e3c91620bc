"""The reads behind each role's home: open incidents by their next deadline, overdue first.

Every list is scoped by the access policy first (incidents.selectors.visible_incidents), and
"overdue" and "still owed" are DeadlineQuerySet's. Each read costs a fixed number of queries
whatever the number of incidents: the next due time and the overdue mark are subqueries (each
answered from the partial index of deadlines still owed, deadline_unsettled_idx), the deadlines
a card shows are one prefetch, and the board reads each state's column with a cap.
"""
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Subquery

from incidents import selectors
from incidents.models import OPEN_STATES, Deadline, Incident, Severity
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


def by_next_deadline(incidents: QuerySet, now: datetime) -> QuerySet:
    """Incidents with `next_due` (the earliest deadline still owed), `is_overdue` and their
    deadlines still owed (`open_deadlines`, by due time), ordered overdue first, then by
    next due time (none last), then newest."""
    owed = Deadline.objects.unsettled().filter(incident=OuterRef("pk"))
    return (incidents.select_related("owner_unit")
            .annotate(next_due=Subquery(owed.order_by("due_at").values("due_at")[:1]),
                      is_overdue=Exists(Deadline.objects.overdue(now)
                                        .filter(incident=OuterRef("pk"))))
            .prefetch_related(Prefetch(
                "deadlines", to_attr="open_deadlines",
                queryset=Deadline.objects.unsettled().select_related("owed_by_unit")
                .order_by("due_at", "id")))
            .order_by(F("is_overdue").desc(), F("next_due").asc(nulls_last=True), "-pk"))


def open_incidents(user, now: datetime) -> QuerySet:
    return by_next_deadline(
        selectors.visible_incidents(user, Incident.objects.filter(state__in=OPEN_STATES)), now)


def my_open_incidents(user, now: datetime) -> list[Incident]:
    """What a duty officer, a handler or a spokesperson has open, by next deadline."""
    return list(open_incidents(user, now)[:MY_INCIDENTS_LIMIT])


def major_open_incidents(user, now: datetime) -> list[Incident]:
    return list(open_incidents(user, now).filter(severity__in=MAJOR)[:MY_INCIDENTS_LIMIT])


def overdue_open_incidents(user, now: datetime) -> list[Incident]:
    return list(open_incidents(user, now).filter(is_overdue=True)[:MY_INCIDENTS_LIMIT])


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
    incidents = open_incidents(user, now)
    if search:
        incidents = selectors.search(incidents, search)
    if severity:
        incidents = incidents.filter(severity=severity)
    if unit is not None:
        incidents = incidents.filter(owner_unit=unit)
    if urgent:
        incidents = incidents.filter(urgent=True)
    if overdue:
        incidents = incidents.filter(is_overdue=True)
    # A query per column, each a top-N sort of its state's incidents. One query ranking every
    # column with a window per state was tried: PostgreSQL then sorts all open incidents in
    # full and it cost four times as much as the four columns.
    counts = dict(incidents.order_by().values_list("state").annotate(n=Count("pk")))
    return [Column(state=state, label=state.label, count=counts.get(state, 0),
                   incidents=list(incidents.filter(state=state)[:BOARD_COLUMN_LIMIT])
                   if counts.get(state) else [])
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
