"""One report action on the incident page (C01, C02): the duty officer meets one form whose
channel decides which obligations it meets, not three overlapping ones."""
import re

import pytest
from django.test import Client

from incidents.models import Deadline, State
from plans.models import DeadlineKind

pytestmark = pytest.mark.django_db


def step_cards(html: str) -> set[str]:
    return set(re.findall(r'id="step-([a-z_]+)"', html))


def duty_client(office) -> Client:
    client = Client()
    client.force_login(office.users["duty"])
    return client


def state_of(incident, kind):
    return incident.deadlines.get(kind=kind).state


def test_c01_c02_an_unreported_urgent_incident_offers_one_report_form(office):
    html = duty_client(office).get(f"/incidents/{office.urgent.pk}/").content.decode()
    cards = step_cards(html)
    assert "report" in cards
    assert not {"verbal_report", "written_report"} & cards


def test_c01_c02_a_phone_report_to_the_office_meets_both_and_the_written_report_follows(office):
    client = duty_client(office)
    incident = office.urgent
    response = client.post(f"/incidents/{incident.pk}/report/", {
        "report-channel": "phone", "report-recipient": "舆情办 赵干事",
        "report-revision": incident.revision}, follow=True)
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.state == State.REPORTED
    assert state_of(incident, DeadlineKind.REPORT) == Deadline.State.MET
    assert state_of(incident, DeadlineKind.VERBAL_REPORT) == Deadline.State.MET
    assert state_of(incident, DeadlineKind.WRITTEN_REPORT) == Deadline.State.PENDING
    # What is left is the written report, as its own single form.
    cards = step_cards(response.content.decode())
    assert "written_report" in cards and not {"report", "verbal_report"} & cards


def test_c01_c02_a_written_report_to_the_office_meets_c01_and_the_written_report(office):
    client = duty_client(office)
    incident = office.urgent
    client.post(f"/incidents/{incident.pk}/report/", {
        "report-channel": "written", "report-recipient": "舆情办",
        "report-revision": incident.revision})
    incident.refresh_from_db()
    assert incident.state == State.REPORTED
    assert state_of(incident, DeadlineKind.REPORT) == Deadline.State.MET
    assert state_of(incident, DeadlineKind.WRITTEN_REPORT) == Deadline.State.MET
    # C02 still asks for the phone call; that is the one form left.
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "verbal_report" in step_cards(html) and "report" not in step_cards(html)
