"""Words: no internal codes or English in what a user reads; no green tick on overdue rows."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_admins_overdue_column_shows_red_words_not_a_green_tick(office):
    client = Client()
    client.force_login(office.users["admin"])
    html = client.get("/admin/incidents/deadline/").content.decode()
    assert "overdue-mark" in html and "已超时" in html
    assert "icon-yes" not in html


def test_a_refused_api_verb_names_no_permission_code(office):
    client = APIClient()
    client.force_authenticate(office.users["auditor"])
    response = client.post(f"/api/v1/incidents/{office.overdue.pk}/dismiss/", {}, format="json")
    assert response.status_code == 403
    text = str(response.data)
    assert "dismiss" not in text and "需要权限" not in text and "_incident" not in text


def test_the_api_root_links_incidents_to_the_api_not_the_page(office):
    client = APIClient()
    client.force_authenticate(office.users["office"])
    response = client.get("/api/v1/", format="json")
    assert response.status_code == 200
    assert response.data["incidents"].endswith("/api/v1/incidents/")
    assert response.data["deadlines"].endswith("/api/v1/deadlines/")


def test_c07_when_the_rules_raise_the_chosen_severity_the_message_says_so_and_why(office):
    client = Client()
    client.force_login(office.users["office"])
    incident = office.reported
    response = client.post(f"/incidents/{incident.pk}/classify/", {
        "classify-category": "inquiry", "classify-severity": "general",
        "classify-clicks": 5_000_000, "classify-comments": 200_000,
        "classify-mainstream_sites": 500, "classify-revision": incident.revision}, follow=True)
    incident.refresh_from_db()
    html = response.content.decode()
    assert incident.severity != "general", incident.severity_rule
    assert "您选择的级别是“一般”" in html and incident.get_severity_display() in html
    assert incident.severity_rule in html


def test_the_timeline_says_how_early_a_deadline_was_met_in_natural_words(office):
    """Reported 20 minutes into its 2-hour window: 提前1小时40分, not 提前 100 分钟."""
    from incidents.models import Event
    met = office.reported.timeline.filter(event=Event.DEADLINE_MET).first()
    assert "按时履行，提前1小时40分（履行" in met.note and "100 分钟" not in met.note
