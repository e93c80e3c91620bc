"""An office with the people the response stories need, and incidents at each severity."""
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from incidents import actions
from organisation import roles
from responses import actions as responses
from responses import press
from tests.factories import incident_kwargs, person_with_role
from tests.incidents.helpers import classify, report

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday


def staff_office(org):
    """The test office, with a head for the department and a second leadership member."""
    org.head = person_with_role(roles.DEPARTMENT_HEAD, org.department, "郑处长", "head")
    # The access policy scopes a department by its handler role; the head holds it too.
    org.head.user.groups.add(Group.objects.get(name=roles.DEPARTMENT_HANDLER))
    org.deputy = person_with_role(roles.LEADERSHIP_MEMBER, org.leadership, "陈副组长", "deputy")
    org.second_speaker = person_with_role(roles.SPOKESPERSON, org.press, "何发言", "speaker2")
    return org


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def incident_at(org, severity: str, **overrides):
    """Detected, reported and classified at `severity`, owned by the department."""
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        owner_unit=org.department, accountable_leader=org.leader,
        discovered_at=datetime.now(UTC) - timedelta(minutes=1), **overrides))
    report(org, incident)
    return classify(org, incident, severity=severity)


def drafted(org, incident, kind="press_release", body="关于网传某校食堂饭菜变质的情况通报", by=None):
    return responses.create_draft(incident, (by or org.handler).user, kind=kind, body=body)


def approved(org, incident, kind="press_release", **kwargs):
    draft = drafted(org, incident, kind=kind, **kwargs)
    return responses.approve_draft(draft, org.leader.user, comment="同意")


def with_spokesperson(org, incident, person=None):
    return press.designate_spokesperson(incident, org.leader.user,
                                        person=person or org.spokesperson)
