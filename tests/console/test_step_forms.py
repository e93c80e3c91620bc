"""The incident page's verbs are buttons; a verb's form is fetched when its button is pressed
(htmx), or opened on a page of its own without script. Either way the form is handed only to a
user the action itself would let perform it now, and a form sent back with errors is shown open
with what was typed."""
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import actions, verbs
from organisation import roles
from tests.factories import UnitFactory, incident_kwargs, person_with_role

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_url(incident, slug):
    return reverse("incident-step-form", args=[incident.pk, slug])


def page_url(incident, slug):
    return reverse("incident-step", args=[incident.pk, slug])


def test_the_incident_page_offers_each_verb_as_a_button_that_fetches_its_form(office):
    incident, user = office.reported, office.users["office"]
    html = client_of(user).get(f"/incidents/{incident.pk}/").content.decode()
    offered = [verb.slug for verb in verbs.page_actions(incident, user)]
    assert "classify" in offered
    assert re.findall(r'id="step-([a-z_]+)"', html) == offered
    assert not any(f'action="{page_url(incident, slug)}"' in html for slug in offered)
    # Without script the button is a link to the page of that one form.
    assert (f'href="{page_url(incident, "classify")}" hx-get="{form_url(incident, "classify")}"'
            in html)


def test_c08_the_fetched_form_is_the_verbs_own_ready_to_post(office):
    incident = office.reported
    response = client_of(office.users["office"]).get(form_url(incident, "classify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div class="card step open" id="step-classify">')
    assert f'action="{page_url(incident, "classify")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="classify-category"' in html
    assert f'name="classify-revision" value="{incident.revision}"' in html
    assert "<html" not in html  # a fragment, not a page


def test_without_script_the_button_opens_a_page_of_that_one_form(office):
    incident = office.urgent
    response = client_of(office.users["duty"]).get(page_url(incident, "report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="step-report"' in html and 'name="report-channel"' in html
    assert len(re.findall(r'id="step-', html)) == 1


def test_a_role_is_never_handed_a_form_it_cannot_use(office):
    """Every verb, every role, every incident: the form is served exactly when the action
    would let the user perform the verb now; otherwise 403 (not theirs) or 409 (not now)."""
    incidents = [office.urgent, office.overdue, office.reported, office.major, office.general]
    for role, user in office.users.items():
        client = client_of(user)
        for incident in incidents:
            for verb in verbs.REGISTRY.values():
                status = client.get(form_url(incident, verb.slug)).status_code
                if verbs.may(user, verb, incident):
                    assert status == 200, (role, incident.title, verb.name)
                elif verbs.may_in_some_state(user, verb, incident):
                    assert status == 409, (role, incident.title, verb.name)
                else:
                    assert status == 403, (role, incident.title, verb.name)


def test_a_duty_officer_asking_for_the_office_judgement_is_refused_in_words(office):
    client = client_of(office.users["duty"])
    for url in (form_url(office.reported, "classify"), page_url(office.reported, "classify")):
        response = client.get(url)
        assert response.status_code == 403
        assert "classify" not in response.content.decode().replace("step-classify", "")


def test_a_form_the_incident_has_moved_past_says_so_and_asks_for_a_reload(office):
    response = client_of(office.users["office"]).get(form_url(office.major, "classify"))
    assert response.status_code == 409
    assert "现在不能办理“研判定级”，请刷新页面" in response.content.decode()


def test_another_units_incident_and_an_unknown_verb_are_not_found(office):
    stranger = person_with_role(roles.DUTY_OFFICER, UnitFactory(name="外校"), "外校值班员",
                                "stranger")
    assert client_of(stranger.user).get(form_url(office.urgent, "report")).status_code == 404
    assert client_of(stranger.user).get(page_url(office.urgent, "report")).status_code == 404
    client = client_of(office.users["office"])
    assert client.get(form_url(office.urgent, "no_such_verb")).status_code == 404
    assert client.get(page_url(office.urgent, "no_such_verb")).status_code == 404


def test_c01_a_report_with_errors_comes_back_open_with_what_was_typed(office):
    incident = office.urgent
    response = client_of(office.users["duty"]).post(page_url(incident, "report"), {
        "report-channel": "fax", "report-recipient": "舆情办 赵干事",
        "report-note": "已电话联系", "report-revision": incident.revision})
    assert response.status_code == 400
    html = response.content.decode()
    opened = html.split('<div class="card step open" id="step-report">')[1].split("</form>")[0]
    assert 'value="舆情办 赵干事"' in opened and "已电话联系" in opened
    assert 'class="errorlist"' in opened
    # The other verbs stay buttons.
    assert html.count('class="card step open"') == 1


def test_the_incident_page_costs_the_same_queries_for_10_and_200_incidents(
        office, django_assert_num_queries):
    client = client_of(office.users["office"])

    def more(n):
        for i in range(n):
            actions.detect_incident(office.org.duty.user, **incident_kwargs(
                title=f"批量事件{i}", owner_unit=office.org.department))

    url = f"/incidents/{office.reported.pk}/"
    more(5)
    client.get(url)  # warm caches (content types, plan rules)
    with CaptureQueriesContext(connection) as at_10:
        assert client.get(url).status_code == 200
    more(190)
    with django_assert_num_queries(len(at_10.captured_queries)):
        assert client.get(url).status_code == 200
