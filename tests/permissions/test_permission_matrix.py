"""The permission matrix (C23): role × verb × unit scope, for every verb of the registry.

The expectations below are data, written out by hand: which verbs each role may perform. The
rows are generated from `incidents.verbs.REGISTRY` as it stands once every app is ready (the
core's verbs and those capability apps register: refer, drafts, spokesperson, bulletin …), so a
new verb cannot ship without a row here: `test_c23_every_registered_verb_has_an_expectation_row`
fails until it is added to some role's set or to NOBODY.

Each row is checked three ways:
- against organisation/roles.py (ROLE_PERMISSIONS), so the table and the groups agree;
- against the policy (`user.has_perm` and `selectors.may_act_on`), for an incident of the
  user's own unit and one of another unit;
- through the verb's endpoint, `POST /api/v1/incidents/{id}/<verb>/`: a verb the role lacks is
  a 403 whatever the incident; a verb the role has on an incident outside the user's scope is a
  404 (they do not see it); in scope, the request gets past both (a 200, or a 400/409 about the
  payload or the state), never a 401/403/404/500. Every request runs in a savepoint that is
  rolled back, so one row's success never changes the next row's incident.
"""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction
from rest_framework.test import APIClient

from incidents import actions, selectors, verbs
from incidents.models import Channel, Deadline, Incident, Severity, State
from organisation import roles
from organisation.models import Unit
from tests.factories import UnitFactory, incident_kwargs, person_with_role

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DETECT = "detect"  # POST /api/v1/incidents/ (not a registry entry; its permission is fixed)

# role → the verbs it may perform (on incidents in its scope). Hand-written on purpose.
EXPECTED: dict[str, set[str]] = {
    roles.DUTY_OFFICER: {DETECT, "report", "verbal-report", "written-report", "superior-report",
                         "follow-up", "metrics", "bulletin", "tracking-check"},
    roles.OFFICE_STAFF: {DETECT, "report", "verbal-report", "written-report", "superior-report",
                         "follow-up", "classify", "upgrade", "metrics", "spreading", "respond",
                         "summary", "dismiss", "merge", "reassign", "adopt-plan", "refer",
                         "drafts", "spokesperson", "bulletin", "playbook-step", "downgrade",
                         "tracking", "tracking-check", "resolve", "leadership-report",
                         "investigation-order"},
    roles.DEPARTMENT_HANDLER: {"metrics", "respond", "summary", "drafts", "playbook-step",
                                "tracking-check"},
    roles.LEADERSHIP_MEMBER: {"classify", "upgrade", "spreading", "respond", "summary", "review",
                              "dismiss", "reassign", "adopt-plan", "refer", "drafts",
                              "spokesperson", "playbook-step", "downgrade", "tracking",
                              "resolve", "leadership-report", "investigation-order"},
    roles.SPOKESPERSON: {"respond", "summary", "drafts", "playbook-step"},
    roles.DEPARTMENT_HEAD: {"metrics", "respond", "summary", "drafts", "playbook-step",
                             "tracking-check"},
    roles.AUDITOR: set(),  # read-only: no verb changes an incident's handling
}
# Verbs whose group permission (classify_incident) leadership holds too, but which the
# registry narrows to the office (Verb.office_only) (C08 lowering; C22 naming the tracker and recording resolution): the
# endpoint refuses everyone else with 403.
OFFICE_ONLY: set[str] = {"downgrade", "tracking", "resolve", "leadership-report",
                         "investigation-order"}
# Verbs no role may perform (a superuser's only); none today, but a row all the same.
NOBODY: set[str] = set()
# Roles whose scope is every incident (organisation.policy.sees_every_incident); the others
# see their own unit's (and, for a duty officer, what they logged).
SEES_EVERYTHING = {roles.OFFICE_STAFF, roles.LEADERSHIP_MEMBER, roles.AUDITOR,
                   roles.SPOKESPERSON}
SCOPES = ("own_unit", "other_unit")
# A body the verb's payload accepts, for endpoints that validate it before a role check that
# their action narrows (office-only verbs): without it a role lacking the verb would get the
# payload's 400 instead of the 403 under test. Others get {}.
BODIES: dict[str, object] = {"drafts": {"kind": "reply", "body": "拟答复网民：正在核查。"},
                           "downgrade": {"severity": "general", "reason": "核实后传播有限"},
                           "leadership-report": {"recipient": "王组长", "note": "重大舆情报告"},
                           "investigation-order": {"note": "核查食堂进货台账"},
                           # Who keeps tracking (C22): a person, known once the org exists.
                           "tracking": lambda matrix: {
                               "person": matrix.people[roles.OFFICE_STAFF].pk}}


def registered_verbs() -> list[str]:
    return [DETECT, *verbs.REGISTRY]


def permission_of(verb: str) -> str:
    return verbs.permission_for(verb)


@pytest.fixture(autouse=True)
def at_t0():
    with time_machine.travel(T0, tick=False):
        yield


class Matrix:
    """One person per role in units of their kind, an incident per unit and one elsewhere."""

    def __init__(self, org):
        self.org = org
        self.head = person_with_role(roles.DEPARTMENT_HEAD, org.department, "郑处长", "head")
        self.people = {
            roles.DUTY_OFFICER: org.duty, roles.OFFICE_STAFF: org.staff,
            roles.DEPARTMENT_HANDLER: org.handler, roles.LEADERSHIP_MEMBER: org.leader,
            roles.SPOKESPERSON: org.spokesperson, roles.DEPARTMENT_HEAD: self.head,
            roles.AUDITOR: org.auditor,
        }
        self.elsewhere = UnitFactory(name="后勤处", kind=Unit.Kind.DEPARTMENT)
        self._incidents: dict[tuple[int, str], Incident] = {}

    def incident(self, unit: Unit, state: str) -> Incident:
        """An incident owned by `unit`, logged by office staff, every deadline owed by `unit`
        (so no other unit sees it through what it owes)."""
        key = (unit.pk, state)
        if key not in self._incidents:
            incident = actions.detect_incident(
                self.org.staff.user, owner_unit=unit,
                **incident_kwargs(discovered_at=T0 - timedelta(minutes=10)))
            if state in (State.REPORTED, State.CLASSIFIED):
                incident = actions.report_incident(incident, self.org.staff.user, actions.Step(
                    channel=Channel.PHONE, recipient="舆情办 赵干事"))
            if state == State.CLASSIFIED:
                incident = actions.classify_incident(incident, self.org.staff.user,
                                                     category="inquiry",
                                                     severity=Severity.GENERAL)
            Deadline.objects.filter(incident=incident).update(owed_by_unit=unit)
            self._incidents[key] = Incident.objects.get(pk=incident.pk)
        return self._incidents[key]

    def for_scope(self, role: str, scope: str, state: str) -> Incident:
        unit = self.people[role].unit if scope == "own_unit" else self.elsewhere
        return self.incident(unit, state)


def state_for(verb: verbs.Verb) -> str:
    """A state the verb applies in, among those reachable cheaply; else the last of them (the
    permission checks come before the state's)."""
    for state in (State.DETECTED, State.REPORTED, State.CLASSIFIED):
        if state in verb.states:
            return state
    return State.CLASSIFIED


def expected_outcome(role: str, verb: str, scope: str) -> str:
    if verb not in EXPECTED[role]:
        return "forbidden"
    if verb in OFFICE_ONLY and role != roles.OFFICE_STAFF:
        return "forbidden"
    if scope == "other_unit" and role not in SEES_EVERYTHING:
        return "not_found"
    return "allowed"


def post_in_savepoint(user, url: str, body: dict) -> int:
    client = APIClient()
    client.force_authenticate(user)
    with transaction.atomic():
        response = client.post(url, body, format="json")
        transaction.set_rollback(True)
    return response.status_code


# --- the table itself -------------------------------------------------------------------------

def test_c23_every_registered_verb_has_an_expectation_row():
    covered = set().union(*EXPECTED.values()) | NOBODY
    missing = [verb for verb in registered_verbs() if verb not in covered]
    assert not missing, (f"verbs registered without a row in the permission matrix: {missing}; "
                         f"add them to EXPECTED (or NOBODY) in {__file__}")
    # A row for a verb not (yet) registered is harmless (the plans' playbook-step lands with its
    # app); only a registered verb without a row fails.
    assert {"refer", "drafts", "spokesperson", "bulletin"} <= set(verbs.REGISTRY), \
        "the capability apps' verbs are part of the registry the matrix is generated from"


def test_c23_the_office_only_verbs_are_those_the_registry_declares_so():
    assert {name for name, verb in verbs.REGISTRY.items() if verb.office_only} == OFFICE_ONLY


def test_c23_every_role_has_a_row_and_the_table_agrees_with_roles_py():
    assert set(EXPECTED) == set(roles.ROLE_PERMISSIONS) == set(roles.ROLE_LABELS)
    for role, granted in roles.ROLE_PERMISSIONS.items():
        by_roles_py = {verb for verb in registered_verbs() if permission_of(verb) in granted}
        assert EXPECTED[role] & set(registered_verbs()) == by_roles_py, (
            f"{role}: the matrix says {sorted(EXPECTED[role])}, roles.py grants "
            f"{sorted(by_roles_py)}")


# --- each verb, generated from the registry ---------------------------------------------------

@pytest.mark.parametrize("verb_name", registered_verbs())
def test_c23_permission_matrix_role_by_unit_scope(org, verb_name):
    matrix = Matrix(org)
    verb = verbs.REGISTRY.get(verb_name)
    state = state_for(verb) if verb else State.DETECTED
    seen = []
    for role, person in matrix.people.items():
        user = person.user
        assert user.has_perm(f"incidents.{permission_of(verb_name)}") == \
            (verb_name in EXPECTED[role]), f"{role} × {verb_name}: group permission"
        for scope in SCOPES:
            expected = expected_outcome(role, verb_name, scope)
            if verb is None:  # detect: no incident yet, so no unit scope
                if scope == "other_unit":
                    continue
                status = post_in_savepoint(user, "/api/v1/incidents/", {})
            else:
                incident = matrix.for_scope(role, scope, state)
                in_scope = selectors.may_act_on(user, incident)
                assert in_scope == (scope == "own_unit" or role in SEES_EVERYTHING), \
                    f"{role} × {scope}: acting scope"
                body = BODIES.get(verb_name, {})
                status = post_in_savepoint(user, f"/api/v1/incidents/{incident.pk}/{verb_name}/",
                                           body(matrix) if callable(body) else body)
            seen.append((role, scope, expected, status))
            if expected == "forbidden" and scope == "other_unit" \
                    and role not in SEES_EVERYTHING:
                # Neither the role nor the scope: the generic verb route checks the role first
                # (403), the drafts route the scope first (404). Both refuse; either is right.
                assert status in (403, 404), f"{role} × {verb_name} × {scope}: {status}"
            elif expected == "forbidden":
                assert status == 403, f"{role} × {verb_name} × {scope}: {status}, wanted 403"
            elif expected == "not_found":
                assert status == 404, f"{role} × {verb_name} × {scope}: {status}, wanted 404"
            else:
                assert status in (200, 201, 400, 409, 422), \
                    f"{role} × {verb_name} × {scope}: {status}, wanted past the permission checks"
    assert len(seen) == len(matrix.people) * (1 if verb is None else 2)
