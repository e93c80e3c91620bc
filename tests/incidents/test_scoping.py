"""Each user sees their own (C23): the access policy applied by every reader of incidents.

The office (教务处's handler and duty officer in tests.factories.Org) and a second department,
后勤处, with its own duty officer and handler. Four incidents:
- `own`: owned by 教务处, logged by 教务处's duty officer;
- `owed`: owned by the office, logged by 教务处's duty officer, so 教务处 owes its report (C01);
- `foreign`: owned by 后勤处 and logged there;
- `office_only`: owned by the office and logged by office staff, so the office owes its report.
A list leaves out what the reader may not see, a detail of it answers 404, a verb on it 404; a
verb the role lacks on a visible incident answers 403.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from briefings.models import Briefing, BriefingTemplate
from incidents import actions
from incidents.models import Channel, Escalation, Incident, Severity, State
from organisation import roles
from organisation.models import Person, Unit
from tests.factories import UnitFactory, incident_kwargs, person_with_role
from tests.support.sweeping import sweep_all
from tests.support.responding import answer_approved

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
URL = "/api/v1/incidents/"


@dataclass
class World:
    logistics: Unit
    other_duty: Person
    other_handler: Person
    own: Incident
    owed: Incident
    foreign: Incident
    office_only: Incident


def _classified(org, incident, reporter) -> Incident:
    incident = actions.report_incident(incident, reporter.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办 赵干事"))
    return actions.classify_incident(incident, org.staff.user, category="inquiry",
                                     severity=Severity.GENERAL)


@pytest.fixture
def world(org):
    with time_machine.travel(T0, tick=False):
        logistics = UnitFactory(name="后勤处", kind=Unit.Kind.DEPARTMENT)
        other_duty = person_with_role(roles.DUTY_OFFICER, logistics, "郑值班", "duty2")
        other_handler = person_with_role(roles.DEPARTMENT_HANDLER, logistics, "冯承办",
                                         "handler2")

        def detect(actor, title, **overrides):
            return actions.detect_incident(actor.user, **incident_kwargs(
                title=title, discovered_at=T0 - timedelta(minutes=5), **overrides))

        own = _classified(org, detect(org.duty, "教务处的事件", owner_unit=org.department),
                          org.duty)
        owed = _classified(org, detect(org.duty, "教务处报告的办公室事件"), org.duty)
        foreign = _classified(org, detect(other_duty, "后勤处的事件", owner_unit=logistics),
                              other_duty)
        office_only = detect(org.staff, "舆情办自己发现的事件")
    return World(logistics, other_duty, other_handler, own, owed, foreign, office_only)


@pytest.fixture(autouse=True)
def at_t0():
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False) as traveller:
        yield traveller


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def listed(person, url=URL) -> set[int]:
    return {row["id"] for row in api(person).get(url, {"page_size": 200}).json()["results"]}


def respond(person, incident):
    return api(person).post(f"{URL}{incident.pk}/respond/", {"response": "已在平台答复网民"},
                            format="json")


# Lists


def test_c23_department_handler_lists_only_incidents_of_their_unit(org, world):
    assert listed(org.handler) == {world.own.pk, world.owed.pk}
    assert listed(world.other_handler) == {world.foreign.pk}


def test_c23_department_handler_list_page_shows_only_incidents_of_their_unit(org, world,
                                                                            client):
    client.force_login(org.handler.user)

    page = client.get("/").content.decode()

    assert world.own.title in page and world.owed.title in page
    assert world.foreign.title not in page and world.office_only.title not in page


def test_c23_office_leadership_and_auditors_see_every_incident(org, world, client):
    every = {world.own.pk, world.owed.pk, world.foreign.pk, world.office_only.pk}
    for person in (org.staff, org.leader, org.auditor):
        assert listed(person) == every, person.name
    client.force_login(org.staff.user)
    page = client.get("/").content.decode()
    assert all(incident.title in page for incident in (world.foreign, world.office_only))


def test_c23_duty_officer_sees_what_they_logged_and_what_their_unit_owns(org, world):
    handed_over = actions.detect_incident(world.other_duty.user, **incident_kwargs(
        title="后勤处发现、交教务处办理", owner_unit=org.department,
        discovered_at=T0))

    assert listed(org.duty) == {world.own.pk, world.owed.pk, handed_over.pk}
    assert listed(world.other_duty) == {world.foreign.pk, handed_over.pk}


# Details


def test_c23_another_units_incident_is_not_found_by_a_handler(org, world, client):
    assert api(org.handler).get(f"{URL}{world.foreign.pk}/").status_code == 404
    assert api(org.handler).get(f"{URL}{world.office_only.pk}/").status_code == 404
    assert api(org.handler).get(f"{URL}{world.owed.pk}/").status_code == 200
    client.force_login(org.handler.user)
    assert client.get(f"/incidents/{world.foreign.pk}/").status_code == 404
    assert client.get(f"/incidents/{world.own.pk}/").status_code == 200


def test_c23_briefings_of_another_units_incident_are_not_found(org, world, client):
    template = BriefingTemplate.objects.get(is_default=True)
    theirs = Briefing.objects.create(kind=Briefing.Kind.WRITTEN_REPORT, incident=world.foreign,
                                     template=template, language="zh-hans")
    ours = Briefing.objects.create(kind=Briefing.Kind.WRITTEN_REPORT, incident=world.own,
                                   template=template, language="zh-hans")
    handler = api(org.handler)

    assert handler.get(f"{URL}{world.foreign.pk}/briefings/").status_code == 404
    assert handler.post(f"{URL}{world.foreign.pk}/briefings/", {"kind": "written_report"},
                        format="json").status_code == 404
    assert handler.get(f"/api/v1/briefings/{theirs.pk}/").status_code == 404
    assert handler.get(f"/api/v1/briefings/{theirs.pk}/download/").status_code == 404
    assert {row["id"] for row in handler.get("/api/v1/briefings/").json()} == {ours.pk}
    assert handler.get(f"{URL}{world.own.pk}/briefings/").status_code == 200
    assert api(org.staff).get(f"/api/v1/briefings/{theirs.pk}/").status_code == 200
    client.force_login(org.duty.user)
    assert client.post(f"/incidents/{world.foreign.pk}/briefings/",
                       {"kind": "written_report"}).status_code == 404
    assert Briefing.objects.count() == 2


def test_c23_deadlines_and_escalations_list_only_rows_of_visible_incidents(org, world,
                                                                            at_t0):
    at_t0.move_to(T0 + timedelta(hours=3))
    assert sweep_all().breached  # among them office_only's report (C01), which escalates
    handler, staff = api(org.handler), api(org.staff)

    deadlines = handler.get("/api/v1/deadlines/", {"page_size": 200}).json()["results"]
    assert {row["incident"] for row in deadlines} == {world.own.pk, world.owed.pk}
    hidden = world.foreign.deadlines.first()
    assert handler.get(f"/api/v1/deadlines/{hidden.pk}/").status_code == 404
    escalated = Escalation.objects.get(deadline__incident=world.office_only)
    seen = {row["incident"] for row in handler.get(
        "/api/v1/escalations/", {"page_size": 200}).json()["results"]}
    assert seen <= {world.own.pk, world.owed.pk}
    assert handler.get(f"/api/v1/escalations/{escalated.pk}/").status_code == 404
    assert escalated.pk in {row["id"] for row in staff.get(
        "/api/v1/escalations/", {"page_size": 200}).json()["results"]}
    assert {row["incident"] for row in staff.get(
        "/api/v1/deadlines/", {"page_size": 200}).json()["results"]} == {
        world.own.pk, world.owed.pk, world.foreign.pk, world.office_only.pk}


# Verbs


def test_c23_handler_records_the_response_on_their_units_incident(org, world):
    answer_approved(org, world.own)
    response = respond(org.handler, world.own)

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.RESPONDED


def test_c23_handler_acts_on_an_incident_their_unit_owes_a_report_on(org, world):
    """Owing a deadline on it lets the unit see the incident and act on it (the issue's rule);
    the office still owns it."""
    detail = api(org.handler).get(f"{URL}{world.owed.pk}/").data
    assert "respond" in detail["next_actions"]
    answer_approved(org, world.owed)

    response = respond(org.handler, world.owed)

    assert response.status_code == 200, response.data
    assert Incident.objects.get(pk=world.owed.pk).state == State.RESPONDED


def test_c23_a_verb_on_another_units_incident_is_not_found_and_changes_nothing(org, world,
                                                                              client):
    revision = world.foreign.revision

    assert respond(org.handler, world.foreign).status_code == 404
    client.force_login(org.handler.user)
    assert client.post(f"/incidents/{world.foreign.pk}/respond/",
                       {"response": "越权答复", "revision": revision}).status_code == 404
    foreign = Incident.objects.get(pk=world.foreign.pk)
    assert (foreign.state, foreign.revision) == (State.CLASSIFIED, revision)
    assert not foreign.timeline.filter(actor=org.handler.user).exists()


def test_c23_a_verb_the_role_lacks_on_a_visible_incident_is_forbidden(org, world):
    response = api(org.handler).post(f"{URL}{world.own.pk}/dismiss/", {"note": "非舆情"},
                                     format="json")

    assert response.status_code == 403
    assert Incident.objects.get(pk=world.own.pk).state == State.CLASSIFIED


def test_c23_the_office_acts_on_another_units_incident(org, world):
    answer_approved(org, world.foreign)
    assert respond(org.staff, world.foreign).status_code == 200
