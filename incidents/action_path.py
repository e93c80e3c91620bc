"""How every verb of incidents.actions runs: lock the incident, check revision and role, fire
the transition, record it, bump the revision. The verbs themselves live in incidents.actions."""
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, has_transition_perm

from opinion_ops.errors import InvalidInput, NotPermitted, StaleRevision, TransitionNotAllowed
from .models import Channel, Incident
from .timeline import record_event


@dataclass(frozen=True)
class Step:
    """What the actor says about a step: when it happened, by which channel, to whom, why."""

    channel: str = Channel.SYSTEM
    recipient: str = ""
    note: str = ""
    occurred_at: datetime | None = None


def require_perm(actor, codename: str) -> None:
    if actor is not None and not actor.has_perm(f"incidents.{codename}"):
        raise NotPermitted(_("您的角色无权执行此操作（需要权限 %s）") % codename)


def step_time(incident: Incident | None, step: Step, now: datetime) -> datetime:
    """The stated time of a step: never in the future, never before discovery (C21 谎报)."""
    at = step.occurred_at or now
    if at > now:
        raise InvalidInput({"occurred_at": _("发生时间不能晚于当前时间")})
    if incident is not None and at < incident.discovered_at:
        raise InvalidInput({"occurred_at": _("发生时间不能早于发现时间")})
    return at


def lock_incident(incident: Incident, expected_revision: int | None) -> Incident:
    locked = Incident.objects.select_for_update(of=("self",)).select_related("plan") \
        .get(pk=incident.pk)
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleRevision(expected_revision, locked.revision)
    return locked


def fire_transition(incident: Incident, verb: str, actor) -> tuple[str, str]:
    method = getattr(incident, verb)
    from_state = incident.state
    # State first: django-fsm's has_transition_perm is also False in a wrong state, which
    # would report a wrong state as a missing role.
    if not any(t.name == verb for t in incident.get_available_state_transitions()):
        raise TransitionNotAllowed(verb, from_state, incident.get_state_display())
    if actor is not None and not has_transition_perm(method, actor):
        raise NotPermitted(_("您的角色无权执行“%s”") % verb)
    method()
    return from_state, incident.state


def save_revision(incident: Incident) -> None:
    incident.revision += 1
    try:
        incident.save()
    except ConcurrentTransition as exc:
        raise StaleRevision(incident.revision - 1, -1) from exc


def run_transition(incident: Incident, verb: str, actor, event: str, step: Step, *,
                expected_revision: int | None, apply=None, prepare=None, clause: str = "",
                data: dict | None = None) -> Incident:
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        now = timezone.now()
        at = step_time(locked, step, now)
        if prepare is not None:
            # Facts the transition's conditions read (merge's target) are set before it fires.
            prepare(locked)
        from_state, to_state = fire_transition(locked, verb, actor)
        # The step itself goes on the record first, then what it set off (deadlines met and
        # opened), so the timeline reads in the order things happened.
        record_event(locked, event, actor, from_state=from_state, to_state=to_state,
                     channel=step.channel, note=step.note, recipient=step.recipient,
                     clause=clause, occurred_at=at, data=data)
        if apply is not None:
            apply(locked, at)
        save_revision(locked)
        return locked


def clause_for(incident: Incident, kind: str) -> str:
    """The clause of the incident's plan that the obligation of `kind` enforces."""
    rule = incident.plan.rule_for(kind)
    return rule.clause if rule is not None else ""


def require_open(incident: Incident, verb: str) -> None:
    if not incident.is_open:
        raise TransitionNotAllowed(verb, incident.state, incident.get_state_display())
