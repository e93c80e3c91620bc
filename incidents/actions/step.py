"""The one way a verb changes an incident: a step context.

    with step_context(incident, actor, "report", stated, expected_revision=rev) as s:
        s.transition()                      # django-fsm, when the verb moves the state
        s.record(Event.REPORTED, clause=…)  # the timeline entry, stated + recorded time
        s.meet(DeadlineKind.REPORT)         # deadlines the step fulfils or opens
        events.publish(…)                   # consumers hear of it after commit

Inside: one transaction; the incident row locked; the caller's revision checked; the verb's
permission (declared once, in incidents.verbs) and the access policy checked; the stated time
taken beside the recorded one; the revision bumped on the way out. A verb is a straight-line
function around one such block: no closures, no transaction of its own.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from opinion_ops.errors import InvalidInput, NotPermitted, StaleRevision, TransitionNotAllowed
from organisation import policy
from organisation.actors import person_of  # noqa: F401  (re-exported for the verbs)

from .. import deadlines, playbooks
from ..models import Channel, Incident, TimelineEntry
from ..timeline import record_event


@dataclass(frozen=True)
class Step:
    """What the actor says about a step: when it happened, by which channel, to whom, why, and
    (when stated well before it is recorded) why it is recorded late (补录)."""

    channel: str = Channel.SYSTEM
    recipient: str = ""
    note: str = ""
    occurred_at: datetime | None = None
    late_reason: str = ""


@dataclass
class StepContext:
    incident: Incident
    actor: object
    verb: str
    stated: Step
    now: datetime  # recorded
    at: datetime  # stated
    recorded_late: bool
    from_state: str = ""
    to_state: str = ""
    entries: list[TimelineEntry] = field(default_factory=list)

    def transition(self, name: str | None = None) -> None:
        """Fire the incident's django-fsm transition (the verb's own unless named)."""
        name = name or self.verb
        if not any(t.name == name for t in self.incident.get_available_state_transitions()):
            raise TransitionNotAllowed(name, self.incident.state,
                                       self.incident.get_state_display())
        self.from_state = self.incident.state
        getattr(self.incident, name)()
        self.to_state = self.incident.state

    def record(self, event: str, *, clause: str = "", note: str | None = None,
               channel: str | None = None, recipient: str | None = None,
               data: dict | None = None, incident: Incident | None = None,
               by_system: bool = False) -> TimelineEntry:
        """The step's entry on the timeline, at its stated time; the first entry carries the
        state change and, for a late recording, the reason."""
        first = not self.entries and incident is None
        entry = record_event(
            incident or self.incident, event, None if by_system else self.actor,
            from_state=self.from_state if first else "", to_state=self.to_state if first else "",
            channel=channel if channel is not None else self.stated.channel,
            note=note if note is not None else self.stated.note,
            recipient=recipient if recipient is not None else self.stated.recipient,
            clause=clause, occurred_at=self.at, data=data,
            recorded_late=self.recorded_late and first,
            late_reason=self.stated.late_reason if first else "")
        if incident is None:
            self.entries.append(entry)
        return entry

    def meet(self, kind: str):
        return deadlines.meet(self.incident, kind, at=self.at, recorded_at=self.now,
                              actor=self.actor)

    def open(self, kind: str, **kwargs):
        return deadlines.open_deadline(self.incident, kind, actor=self.actor, **kwargs)


def lock_incident(incident: Incident, expected_revision: int | None) -> Incident:
    locked = Incident.objects.select_for_update(of=("self",)).select_related("plan") \
        .get(pk=incident.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleRevision(expected_revision, locked.revision)
    return locked


def authorise(actor, verb: str, incident: Incident | None) -> None:
    """The one check of who may do a verb: its declared permission (incidents.verbs), then the
    access policy for this incident. The system (actor None) may do anything."""
    if actor is None:
        return
    from incidents import verbs, selectors

    codename = verbs.permission_for(verb)
    if codename and not actor.has_perm(f"incidents.{codename}"):
        raise NotPermitted(_("您的角色无权执行“%s”") % verbs.label_for(verb))
    if verbs.office_only(verb) and not policy.is_office(actor):
        raise NotPermitted(_("只有舆情办可以执行“%s”") % verbs.label_for(verb))
    if incident is not None and not selectors.may_act_on(actor, incident):
        raise NotPermitted(_("该事件不属于您的单位，您无权执行“%s”") % verbs.label_for(verb))


def stated_time(incident: Incident, step: Step, now: datetime) -> tuple[datetime, bool]:
    """The stated time of a step and whether it is recorded late (补录): never in the future,
    never before discovery (C21 谎报); more than the plan's tolerance before its recording,
    only with a reason."""
    at = step.occurred_at or now
    if at > now:
        raise InvalidInput({"occurred_at": _("发生时间不能晚于当前时间")})
    if at < incident.discovered_at:
        raise InvalidInput({"occurred_at": _("发生时间不能早于发现时间")})
    tolerance = timedelta(minutes=incident.plan.backdate_tolerance_minutes)
    late = now - at > tolerance
    if late and not step.late_reason.strip():
        raise InvalidInput({"late_reason": _(
            "发生时间早于记录时间超过 %(m)s 分钟（补录），请说明补录原因") % {
            "m": incident.plan.backdate_tolerance_minutes}})
    return at, late


def save_revision(incident: Incident) -> None:
    incident.revision += 1
    try:
        incident.save()
    except ConcurrentTransition as exc:
        raise StaleRevision(incident.revision - 1, -1) from exc


def require_open(incident: Incident, verb: str) -> None:
    if not incident.is_open:
        raise TransitionNotAllowed(verb, incident.state, incident.get_state_display())


def clause_for(incident: Incident, kind: str) -> str:
    """The clause of the incident's plan that the obligation of `kind` enforces."""
    rule = incident.plan.rule_for(kind)
    return rule.clause if rule is not None else ""


@contextmanager
def step_context(incident: Incident, actor, verb: str, stated: Step = Step(), *,
         expected_revision: int | None = None, open_only: bool = True,
         authorised: bool = False) -> Iterator[StepContext]:
    """Run one verb: see the module docstring. `authorised` for a capability's verb on its own
    record (a referral slip's reply), whose action has already asked its own policy who may
    act; every other verb is checked here against the registry and the access policy."""
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        if not authorised:
            authorise(actor, verb, locked)
        if open_only:
            require_open(locked, verb)
        now = timezone.now()
        at, late = stated_time(locked, stated, now)
        context = StepContext(locked, actor, verb, stated, now, at, late)
        yield context
        # A playbook step (C10a–d) that names this verb is met by it.
        if verb != "playbook-step":
            playbooks.meet_by_verb(locked, verb, at=at, recorded_at=now, actor=actor)
        save_revision(locked)
