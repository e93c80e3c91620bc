"""The access policy on its own (C23): whose incidents each role sees and may act on, and who
reads recipients' addresses. These tests need no incident. The policy is said in terms of
units, people and roles, and an incident is read only by its facts."""
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from organisation import policy, roles
from organisation.policy import EVERYTHING, NOTHING, Scope
from tests.factories import UnitFactory, UserFactory, person_with_role

pytestmark = pytest.mark.django_db


def incident(owner, discovered_by=None, owing=()):
    """An incident as the policy reads it: owner unit, discoverer, units its deadlines are
    owed by."""
    deadlines = [SimpleNamespace(owed_by_unit_id=unit.pk) for unit in owing]
    return SimpleNamespace(owner_unit_id=owner.pk,
                           discovered_by_id=discovered_by.pk if discovered_by else None,
                           deadlines=SimpleNamespace(all=lambda: deadlines))


def test_c23_office_leadership_auditors_spokesperson_and_superusers_see_every_incident(org):
    admin = UserFactory(username="root", is_superuser=True)
    for user in (org.staff.user, org.leader.user, org.auditor.user, org.spokesperson.user,
                 admin):
        assert policy.incident_scope(user) == EVERYTHING, user.username
        assert policy.acting_scope(user) == EVERYTHING, user.username


def test_c23_department_handler_sees_what_their_unit_owns_or_owes_on(org):
    assert policy.incident_scope(org.handler.user) == Scope(
        owned_by_units=frozenset({org.department.pk}),
        owed_by_units=frozenset({org.department.pk}))


def test_c10a_department_head_sees_what_their_department_handles(org):
    """A department's head approves its unified replies (C10a), so sees its incidents."""
    Group.objects.get_or_create(name=roles.DEPARTMENT_HEAD)
    head = person_with_role(roles.DEPARTMENT_HEAD, org.department, "孙主任", "head")
    assert policy.incident_scope(head.user) == Scope(
        owned_by_units=frozenset({org.department.pk}),
        owed_by_units=frozenset({org.department.pk}))


def test_c23_duty_officer_sees_what_they_logged_and_what_their_unit_owns(org):
    assert policy.incident_scope(org.duty.user) == Scope(
        owned_by_units=frozenset({org.department.pk}),
        discovered_by_people=frozenset({org.duty.pk}))


def test_c23_a_person_with_two_roles_sees_both_scopes(org):
    org.handler.user.groups.add(Group.objects.get(name=roles.DUTY_OFFICER))

    assert policy.incident_scope(org.handler.user) == Scope(
        owned_by_units=frozenset({org.department.pk}),
        owed_by_units=frozenset({org.department.pk}),
        discovered_by_people=frozenset({org.handler.pk}))


def test_c23_no_role_no_person_anonymous_or_inactive_sees_nothing(org):
    no_role = person_with_role(None, org.department, "无角色", "norole")
    handler_without_person = UserFactory(username="loose")
    handler_without_person.groups.add(Group.objects.get(name=roles.DEPARTMENT_HANDLER))
    gone = org.staff.user
    gone.is_active = False

    for user in (no_role.user, handler_without_person, AnonymousUser(), None, gone):
        assert policy.incident_scope(user) == NOTHING
        assert policy.incident_scope(user).is_empty


def test_c23_handler_acts_on_their_units_incident_and_where_their_unit_owes(org):
    other = UnitFactory(name="后勤处")
    handler = org.handler.user

    assert policy.may_act_on_incident(handler, incident(owner=org.department))
    assert policy.may_act_on_incident(handler, incident(owner=org.office, owing=[org.department]))
    assert not policy.may_act_on_incident(handler, incident(owner=other, owing=[org.office]))
    assert not policy.may_act_on_incident(handler, incident(owner=other,
                                                            discovered_by=org.handler))


def test_c23_duty_officer_acts_on_what_they_logged_not_on_what_their_unit_only_owes(org):
    other = UnitFactory(name="后勤处")
    duty = org.duty.user

    assert policy.may_act_on_incident(duty, incident(owner=org.office, discovered_by=org.duty))
    assert policy.may_act_on_incident(duty, incident(owner=org.department))
    assert not policy.may_act_on_incident(duty, incident(owner=other, owing=[org.department]))


def test_c23_the_office_acts_on_any_incident(org):
    other = UnitFactory(name="后勤处")

    assert policy.may_act_on_incident(org.staff.user, incident(owner=other))
    assert policy.may_act_on_incident(org.leader.user, incident(owner=other))


def test_only_the_office_reads_recipients_addresses(org):
    admin = UserFactory(username="root", is_superuser=True)

    assert policy.may_see_recipient_addresses(org.staff.user)
    assert policy.may_see_recipient_addresses(admin)
    for person in (org.leader, org.auditor, org.handler, org.duty, org.spokesperson):
        assert not policy.may_see_recipient_addresses(person.user), person.name
    assert not policy.may_see_recipient_addresses(AnonymousUser())
