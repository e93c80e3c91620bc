"""C14, C15: minutes are type- and size-limited and never served as a page; approved wording
enters the statement library with its approver of record, and a draft built from it shows
what it changed."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Event
from tests.responses.helpers import approved, client_for, incident_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=10))
    answer = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/meetings/",
        {"kind": "emergency", "held_at": "2026-11-23T10:05:00+08:00",
         "attendees": [office.leader.pk], "agenda": "研究处置", "decisions": "发布通报"},
        format="json")
    assert answer.status_code == 201, answer.data
    return answer.data["id"]


def upload(office, meeting, name, content):
    return client_for(office.staff).post(f"/api/v1/meetings/{meeting}/minutes/",
                                         {"minutes": SimpleUploadedFile(name, content)},
                                         format="multipart")


@pytest.mark.parametrize("name,content", [
    ("minutes.html", b"<html><script>alert(1)</script></html>"),
    ("minutes.pdf", b"<html><script>alert(1)</script></html>"),
    ("minutes.txt", b"<!doctype html><script>alert(1)</script>"),
    ("minutes.exe", b"MZ\x90\x00"),
])
def test_c15_minutes_that_are_not_what_they_claim_are_refused(office, meeting, name, content):
    answer = upload(office, meeting, name, content)

    assert answer.status_code == 400
    assert set(answer.data) == {"minutes"}


def test_c15_minutes_over_the_size_limit_are_refused(office, meeting, settings):
    settings.MEETING_MINUTES_MAX_BYTES = 1024

    answer = upload(office, meeting, "minutes.pdf", b"%PDF-1.4\n" + b"0" * 2048)

    assert answer.status_code == 400 and "minutes" in answer.data


def test_c15_minutes_are_downloaded_as_an_attachment_never_as_a_page(office, meeting, settings,
                                                                      tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    assert upload(office, meeting, "纪要.pdf", b"%PDF-1.4\n%minutes\n").status_code == 200

    download = client_for(office.leader).get(f"/api/v1/meetings/{meeting}/minutes/")

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_c15_approved_wording_enters_the_library_and_a_new_draft_shows_its_changes(office,
                                                                                  clock):
    incident = incident_at(office, "major")
    draft = approved(office, incident, body="高度重视，立即调查，结果及时公布。")
    unapproved = client_for(office.handler).post(
        f"/api/v1/incidents/{incident.pk}/drafts/", {"kind": "post", "body": "草稿"},
        format="json").data

    assert client_for(office.staff).post(f"/api/v1/drafts/{unapproved['id']}/statement/",
                                         {"topic": "草稿"}, format="json").status_code == 409
    filed = client_for(office.staff).post(f"/api/v1/drafts/{draft.pk}/statement/",
                                          {"topic": "食堂食品安全"}, format="json")

    assert filed.status_code == 201, filed.data
    assert (filed.data["approved_by"], filed.data["topic"]) == ("王组长", "食堂食品安全")
    assert incident.timeline.filter(event=Event.STATEMENT_ADOPTED).exists()
    reused = client_for(office.handler).post(
        f"/api/v1/incidents/{incident.pk}/drafts/",
        {"kind": "statement", "body": "高度重视，立即调查，结果将于三日内公布。",
         "statement": filed.data["id"]}, format="json")
    assert reused.status_code == 201, reused.data
    assert {"op": "insert", "text": "将于三日内"} in reused.data["diff"]
