"""The access policy: who may see and do what on which incident, and who may read addresses.

The policy is stated in the organisation's own terms (the user, their Person and Unit, their
role groups), so this lowest layer needs nothing from the incident core. The core applies it.
`incidents.selectors.visible_incidents(user)` turns `incident_scope(user)` into a filter over
Incident, and the verbs ask `may_act_on_incident(user, incident)`. Every reader (API, pages,
briefings, delivery log, escalations) goes through those two, so "who sees this incident" is
said once, here (C23).

Seeing: a list filters, and a detail answers 404.
- Office staff, leadership members, auditors and superusers see every incident.
- A department handler sees the incidents their unit owns (Incident.owner_unit) and those it
  owes something on (a Deadline with owed_by_unit = their unit, in any state: a unit that was
  held to a step keeps sight of the incident).
- A spokesperson sees every incident. This is a choice, made instead of "the same as a handler
  for their unit". The spokesperson records the public response (C16) for the whole body, and
  the plan never makes the press unit own or owe anything. A handler's scope would leave them
  with nothing.
- A duty officer sees what they logged (Incident.discovered_by = their person) and what their
  unit owns.
A user with several roles sees the union of their scopes. Without a Person, a user sees only
what a see-everything role grants.

Acting: a verb on an incident the user sees but may not act on answers 403. Acting follows
seeing, as the issue states it ("a department handler sees and acts on incidents their unit
owns or owes something on"). So a handler may record the response on the office's incident
when their unit owes its report. Which verbs a user may use is up to their role's permissions.
`acting_scope` and `may_act_on_incident` are kept apart from seeing so that a capability (or a
later rule) can narrow acting without touching who sees what.

Recipients' addresses (phone numbers, e-mail addresses) in the delivery log are for the office
only (office staff and superusers). Everybody else reads names.

The role predicates are django-rules predicates. They are used without its
ObjectPermissionBackend, so nothing here depends on AUTHENTICATION_BACKENDS.
"""
from dataclasses import dataclass

import rules

from . import roles
from .actors import person_of

is_office = rules.is_superuser | rules.is_group_member(roles.OFFICE_STAFF)
sees_every_incident = (is_office | rules.is_group_member(roles.LEADERSHIP_MEMBER)
                       | rules.is_group_member(roles.AUDITOR)
                       | rules.is_group_member(roles.SPOKESPERSON))
# A department's head sees what the department's handlers see (they approve its replies, C10a).
is_department_handler = (rules.is_group_member(roles.DEPARTMENT_HANDLER)
                         | rules.is_group_member(roles.DEPARTMENT_HEAD))
is_duty_officer = rules.is_group_member(roles.DUTY_OFFICER)


@dataclass(frozen=True)
class Scope:
    """Which incidents: every one, or those matching any of the listed facts (none listed:
    none at all)."""

    everything: bool = False
    owned_by_units: frozenset[int] = frozenset()
    owed_by_units: frozenset[int] = frozenset()  # a deadline of the incident is owed by them
    discovered_by_people: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.owned_by_units or self.owed_by_units
                    or self.discovered_by_people)

    def admits(self, *, owner_unit_id, discovered_by_id, owing_unit_ids=()) -> bool:
        """Whether an incident with these facts is in the scope."""
        return (self.everything or owner_unit_id in self.owned_by_units
                or discovered_by_id in self.discovered_by_people
                or not self.owed_by_units.isdisjoint(owing_unit_ids))


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def incident_scope(user) -> Scope:
    """The incidents `user` may see (see the module docstring)."""
    if not _signed_in(user):
        return NOTHING
    if sees_every_incident(user):
        return EVERYTHING
    person = person_of(user)
    if person is None:
        return NOTHING
    unit = frozenset({person.unit_id})
    handler, duty = is_department_handler(user), is_duty_officer(user)
    return Scope(owned_by_units=unit if handler or duty else frozenset(),
                 owed_by_units=unit if handler else frozenset(),
                 discovered_by_people=frozenset({person.pk}) if duty else frozenset())


def acting_scope(user) -> Scope:
    """The incidents `user` may act on: today, the ones they see."""
    return incident_scope(user)


@rules.predicate
def may_act_on_incident(user, incident) -> bool:
    """Whether the policy lets `user` act on `incident`. Which verbs they may use is up to
    their role. The incident is read by its facts: owner unit, discoverer, and the units its
    deadlines are owed by. Prefetched deadlines are used when present."""
    scope = acting_scope(user)
    if scope.admits(owner_unit_id=incident.owner_unit_id,
                    discovered_by_id=incident.discovered_by_id):
        return True
    return bool(scope.owed_by_units) and not scope.owed_by_units.isdisjoint(
        deadline.owed_by_unit_id for deadline in incident.deadlines.all())


def may_see_recipient_addresses(user) -> bool:
    """Phone numbers and e-mail addresses of recipients: the office's only."""
    return _signed_in(user) and is_office(user)
