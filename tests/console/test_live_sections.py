"""The live sections (issue 14: progressive enhancement with htmx, no SPA): htmx is served by
the application itself and runs under the Content-Security-Policy without eval or inline
script; the incident page's documents and deliveries are fragments that the page polls, which
answer 204 No Content while what the page shows still holds."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from briefings import generation
from briefings.models import Briefing
from incidents.models import Incident, State
from organisation import roles
from tests.console.test_incident_page import delivery
from tests.factories import UnitFactory, person_with_role

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_htmx_is_served_by_the_application_with_eval_and_inline_styles_off(office):
    response = client_of(office.users["duty"]).get("/")
    html = response.content.decode()
    script = re.search(r'<script src="([^"]*htmx-2\.min\.js)"', html)
    assert script and script.group(1).startswith(settings.STATIC_URL if settings.STATIC_URL
                                                 .startswith("/") else "/" + settings.STATIC_URL)
    found = finders.find("django_htmx/htmx-2.min.js")
    assert found and 'version:"2.' in Path(found).read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "htmx's configuration is in the page"
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "unsafe-eval" not in policy and "unsafe-inline" not in script_src


def test_no_template_uses_hx_on_or_an_inline_handler_or_script():
    for template in TEMPLATES.rglob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)  # comments may say it
        assert not re.search(r"\shx-on", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        # Trigger filters ([…]) need eval, which htmx is told not to use.
        assert not re.search(r'hx-trigger="[^"]*\[', text), template
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)


def test_the_documents_section_polls_while_one_is_queued_and_answers_204_until_it_changes(
        office, monkeypatch):
    monkeypatch.setattr(generation, "_enqueue", lambda briefing_id: None)  # no worker yet
    client = client_of(office.users["office"])
    client.post(f"/incidents/{office.reported.pk}/briefings/", {"kind": "written_report"})
    page = client.get(f"/incidents/{office.reported.pk}/").content.decode()
    poll = re.search(r'hx-get="([^"]*briefings/rows/\?stamp=[^"]+)"', page)
    assert poll and 'hx-trigger="every 2s"' in page
    url = poll.group(1).replace("&amp;", "&")

    assert client.get(url).status_code == 204  # nothing new: htmx swaps nothing
    generation.generate_briefing(Briefing.objects.get(incident=office.reported).pk)
    ready = client.get(url)
    assert ready.status_code == 200
    section = ready.content.decode()
    assert 'id="briefing-rows"' in section and "下载 PDF" in section
    assert "hx-get" not in section  # nothing pending: the polling stops


def test_the_deliveries_section_is_live_while_the_incident_is_open(office):
    client = client_of(office.users["office"])
    page = client.get(f"/incidents/{office.urgent.pk}/").content.decode()
    poll = re.search(r'hx-get="([^"]*/deliveries/\?stamp=[^"]+)"', page)
    assert poll and 'id="incident-deliveries"' in page
    url = poll.group(1)
    assert client.get(url).status_code == 204

    delivery(office.urgent, office.org.leader)
    changed = client.get(url)
    assert changed.status_code == 200
    section = changed.content.decode()
    assert 'id="incident-deliveries"' in section and "13800000000" in section
    fresh = re.search(r'hx-get="([^"]*)"', section).group(1)
    assert fresh != url and client.get(fresh).status_code == 204


def test_the_deliveries_section_of_a_closed_incident_does_not_poll(office):
    Incident.objects.filter(pk=office.general.pk).update(state=State.DISMISSED)
    page = client_of(office.users["office"]).get(f"/incidents/{office.general.pk}/")
    section = page.content.decode().split('id="incident-deliveries"')[1].split("</section>")[0]
    assert "hx-get" not in section


def test_the_deliveries_of_an_incident_one_cannot_see_are_not_found(office):
    stranger = person_with_role(roles.DUTY_OFFICER, UnitFactory(name="外校"), "外校值班员",
                                "stranger")
    response = client_of(stranger.user).get(
        f"/notifications/incidents/{office.urgent.pk}/deliveries/")
    assert response.status_code == 404
