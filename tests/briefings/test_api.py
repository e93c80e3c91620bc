"""The briefing API: list, generate, download and file, as a client sees it."""
from datetime import timedelta

import pypdf
import io
import pytest
from rest_framework.test import APIClient

from briefings.models import Briefing
from incidents import actions
from incidents.models import Channel, Deadline, Event
from plans.models import DeadlineKind
from tests.factories import incident_kwargs
from tests.support.responding import answer_approved


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def urgent(org):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(urgent=True))
    return actions.report_incident(incident, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话报告"))


def post(client, url, payload, capture):
    with capture(execute=True):
        return client.post(url, payload, format="json")


def test_c02_filing_generated_written_report_meets_deadline(
        org, urgent, django_capture_on_commit_callbacks):
    staff = client_for(org.staff.user)
    created = post(staff, f"/api/v1/incidents/{urgent.pk}/briefings/", {"kind": "written_report"},
                   django_capture_on_commit_callbacks)
    assert created.status_code == 202, created.data
    assert created.data["status"] in ("queued", "ready") and created.data["kind"] == "written_report"
    briefing = staff.get(f"/api/v1/briefings/{created.data['id']}/").data
    assert briefing["status"] == "ready" and briefing["document_number"].startswith("舆情办〔")
    assert briefing["download_url"].endswith(f"/api/v1/briefings/{briefing['id']}/download/")

    listed = client_for(org.auditor.user).get(f"/api/v1/incidents/{urgent.pk}/briefings/")
    assert [row["id"] for row in listed.data] == [briefing["id"]]

    download = client_for(org.auditor.user).get(f"/api/v1/briefings/{briefing['id']}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in download["Content-Disposition"]
    pdf = b"".join(download.streaming_content)
    text = "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert briefing["document_number"] in text

    filed = staff.post(f"/api/v1/briefings/{briefing['id']}/file/",
                       {"recipient": "领导小组 王组长"}, format="json")
    assert filed.status_code == 200, filed.data
    assert filed.data["filed_by"] == "staff" and filed.data["filed_to"] == "领导小组 王组长"
    deadline = Deadline.objects.get(incident=urgent, kind=DeadlineKind.WRITTEN_REPORT)
    assert deadline.state == Deadline.State.MET
    entry = urgent.timeline.get(event=Event.WRITTEN_REPORT)
    assert entry.data == {"briefing": briefing["id"]} and entry.recipient == "领导小组 王组长"
    assert briefing["document_number"] in entry.note

    again = staff.post(f"/api/v1/briefings/{briefing['id']}/file/", {"recipient": "领导小组"},
                       format="json")
    assert again.status_code == 409


def test_c19_filing_a_summary_meets_the_summary_deadline(org, urgent,
                                                         django_capture_on_commit_callbacks):
    actions.classify_incident(urgent, org.staff.user, category="inquiry", severity="general")
    answer_approved(org, urgent)
    actions.respond_incident(urgent, org.spokesperson.user, actions.Step(), response="已答复网民")
    staff = client_for(org.staff.user)
    created = post(staff, f"/api/v1/incidents/{urgent.pk}/briefings/", {"kind": "summary"},
                   django_capture_on_commit_callbacks)
    filed = staff.post(f"/api/v1/briefings/{created.data['id']}/file/", {"recipient": "领导小组"},
                       format="json")
    assert filed.status_code == 200, filed.data
    assert Deadline.objects.get(incident=urgent, kind=DeadlineKind.SUMMARY).state == "met"
    # the owner unit's own summary (C19: each department involved files its own)
    assert urgent.timeline.get(event=Event.BRIEFING_FILED).data == {
        "briefing": created.data["id"], "unit": urgent.owner_unit_id}


def test_c05_filing_a_follow_up_records_the_follow_up_report(org, urgent,
                                                             django_capture_on_commit_callbacks):
    staff = client_for(org.staff.user)
    created = post(staff, f"/api/v1/incidents/{urgent.pk}/briefings/", {"kind": "follow_up"},
                   django_capture_on_commit_callbacks)
    filed = staff.post(f"/api/v1/briefings/{created.data['id']}/file/", {"recipient": "领导小组"},
                       format="json")
    assert filed.status_code == 200, filed.data
    entry = urgent.timeline.get(event=Event.FOLLOW_UP_REPORT)
    assert created.data["document_number"] in entry.note and entry.data["number"] == 1


def test_c18_bulletin_is_generated_for_a_period(org, urgent, django_capture_on_commit_callbacks):
    day = urgent.discovered_at.date()
    created = post(client_for(org.staff.user), "/api/v1/briefings/",
                   {"kind": "bulletin", "from": str(day - timedelta(days=6)), "to": str(day)},
                   django_capture_on_commit_callbacks)
    assert created.status_code == 202
    assert Briefing.objects.get().status == "ready"
    assert created.data["incident"] is None and created.data["kind"] == "bulletin"
    listed = client_for(org.auditor.user).get("/api/v1/briefings/?kind=bulletin")
    assert len(listed.data) == 1
    cannot_file = client_for(org.staff.user).post(
        f"/api/v1/briefings/{created.data['id']}/file/", {"recipient": "x"}, format="json")
    assert cannot_file.status_code == 400


def test_generating_needs_the_report_permission_or_staff(org, urgent,
                                                          django_capture_on_commit_callbacks):
    refused = post(client_for(org.auditor.user), f"/api/v1/incidents/{urgent.pk}/briefings/",
                   {"kind": "audit"}, django_capture_on_commit_callbacks)
    assert refused.status_code == 403
    org.auditor.user.is_staff = True
    org.auditor.user.save()
    allowed = post(client_for(org.auditor.user), f"/api/v1/incidents/{urgent.pk}/briefings/",
                   {"kind": "audit"}, django_capture_on_commit_callbacks)
    assert allowed.status_code == 202


def test_bad_requests_are_refused_with_reasons(org, urgent, django_capture_on_commit_callbacks):
    staff = client_for(org.staff.user)
    assert staff.post(f"/api/v1/incidents/{urgent.pk}/briefings/", {"kind": "memo"},
                      format="json").status_code == 400
    assert staff.post("/api/v1/briefings/", {"kind": "bulletin"}, format="json").status_code == 400
    assert staff.post("/api/v1/incidents/999999/briefings/", {"kind": "audit"},
                      format="json").status_code == 404
    assert APIClient().get(f"/api/v1/incidents/{urgent.pk}/briefings/").status_code in (401, 403)


def test_filing_is_refused_for_a_role_without_the_permission(org, urgent,
                                                              django_capture_on_commit_callbacks):
    created = post(client_for(org.staff.user), f"/api/v1/incidents/{urgent.pk}/briefings/",
                   {"kind": "written_report"}, django_capture_on_commit_callbacks)
    refused = client_for(org.auditor.user).post(f"/api/v1/briefings/{created.data['id']}/file/",
                                                {"recipient": "领导小组"}, format="json")
    assert refused.status_code == 403
    assert Briefing.objects.get().filed_at is None
    assert Deadline.objects.get(incident=urgent, kind=DeadlineKind.WRITTEN_REPORT).state == "pending"
