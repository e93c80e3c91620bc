"""Briefings are listed on the incident page, generated from it and downloaded with a session."""
import pytest

from briefings.models import Briefing
from tests.incidents.helpers import detect, report

pytestmark = pytest.mark.django_db


def test_c02_written_report_generated_from_the_incident_page_downloads_as_pdf(
        client, org, django_capture_on_commit_callbacks):
    incident = report(org, detect(org, urgent=True))
    client.force_login(org.staff.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/incidents/{incident.pk}/briefings/",
                               {"kind": "written_report"})
    assert response.status_code == 302
    briefing = Briefing.objects.get(incident=incident)
    assert briefing.status == Briefing.Status.READY
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert briefing.document_number in page
    download = client.get(f"/api/v1/briefings/{briefing.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_unknown_briefing_kind_from_the_page_stores_nothing(client, org):
    incident = detect(org)
    client.force_login(org.staff.user)
    response = client.post(f"/incidents/{incident.pk}/briefings/", {"kind": "bulletin"},
                           follow=True)
    assert "文稿类型无效" in response.content.decode()
    assert not Briefing.objects.exists()


def test_role_without_report_permission_cannot_generate(client, org):
    incident = detect(org)
    client.force_login(org.auditor.user)
    response = client.post(f"/incidents/{incident.pk}/briefings/", {"kind": "audit"},
                           follow=True)
    assert "无权生成" in response.content.decode()
    assert not Briefing.objects.exists()
