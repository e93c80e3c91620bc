"""Generating briefings: numbers per body and year with no gaps or duplicates, stored files."""
import hashlib
from datetime import UTC, date, datetime
from unittest import mock

import pytest
import time_machine

from briefings import generation
from briefings.models import Briefing, BriefingTemplate, DocumentSequence
from incidents import actions
from opinion_ops.errors import InvalidInput, NotPermitted
from tests.factories import incident_kwargs


def generate(actor, kind="written_report", capture=None, **subject):
    with capture(execute=True):
        briefing = generation.request_briefing(kind, actor, **subject)
    briefing.refresh_from_db()
    return briefing


NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai; numbers carry its year


@pytest.fixture
def clock():
    with time_machine.travel(NOW) as traveller:
        yield traveller


@pytest.fixture
def incident(org, clock):
    return actions.detect_incident(org.duty.user, **incident_kwargs())


def test_document_numbers_increase_per_body_and_year_without_gaps(
        org, incident, django_capture_on_commit_callbacks):
    other = BriefingTemplate.objects.create(name="教育局", issuer="某市教育局", short_code="教舆")
    numbers = []
    for template in (None, None, other, None, other):
        with django_capture_on_commit_callbacks(execute=True):
            briefing = generation.request_briefing("written_report", org.staff.user,
                                                   incident=incident, template=template)
        briefing.refresh_from_db()
        numbers.append(briefing.document_number)
    year = NOW.year
    assert numbers == [f"舆情办〔{year}〕1号", f"舆情办〔{year}〕2号", f"教舆〔{year}〕1号",
                       f"舆情办〔{year}〕3号", f"教舆〔{year}〕2号"]
    with time_machine.travel(date(year + 1, 1, 2)):
        with django_capture_on_commit_callbacks(execute=True):
            briefing = generation.request_briefing("audit", org.staff.user, incident=incident)
        briefing.refresh_from_db()
    assert briefing.document_number == f"舆情办〔{year + 1}〕1号"


def test_failed_rendering_gives_its_number_back_and_records_the_error(
        org, incident, django_capture_on_commit_callbacks):
    broken = mock.Mock(side_effect=RuntimeError("boom"))
    with mock.patch.dict(generation.BUILDERS, {"written_report": broken}):
        failed = generate(org.staff.user, incident=incident,
                          capture=django_capture_on_commit_callbacks)
    assert failed.status == Briefing.Status.FAILED and "boom" in failed.error
    assert failed.document_number == "" and not failed.file
    ok = generate(org.staff.user, incident=incident, capture=django_capture_on_commit_callbacks)
    assert ok.sequence_number == 1
    assert DocumentSequence.objects.get(body_code="舆情办").last_number == 1


def test_a_second_task_delivery_does_not_renumber(org, incident, django_capture_on_commit_callbacks):
    briefing = generate(org.staff.user, incident=incident, capture=django_capture_on_commit_callbacks)
    again = generation.generate_briefing(briefing.pk)
    assert again.document_number == briefing.document_number
    assert DocumentSequence.objects.get().last_number == 1


def test_stored_file_matches_its_hash_and_page_count(org, incident,
                                                     django_capture_on_commit_callbacks):
    briefing = generate(org.staff.user, kind="summary", incident=incident,
                        capture=django_capture_on_commit_callbacks)
    with briefing.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == briefing.sha256
    assert briefing.size == len(data) and briefing.pages >= 1
    assert briefing.data_version.startswith(f"r{incident.revision}-t")


def test_bulletin_version_names_the_period(org, django_capture_on_commit_callbacks):
    briefing = generate(org.staff.user, kind="bulletin", period_from=date(2026, 3, 1),
                        period_to=date(2026, 3, 7), capture=django_capture_on_commit_callbacks)
    assert briefing.status == Briefing.Status.READY
    assert briefing.data_version.startswith("20260301-20260307-t")


def test_follow_up_number_defaults_to_filed_follow_ups_plus_one(
        org, incident, django_capture_on_commit_callbacks):
    briefing = generate(org.staff.user, kind="follow_up", incident=incident,
                        capture=django_capture_on_commit_callbacks)
    assert briefing.follow_up_number == 1 and "第1次续报" in briefing.title


@pytest.mark.parametrize("kind, subject, field", [
    ("memo", {}, "kind"),
    ("written_report", {}, "incident"),
    ("bulletin", {}, "from"),
    ("bulletin", {"period_from": date(2026, 3, 7), "period_to": date(2026, 3, 1)}, "from"),
])
def test_request_is_refused_without_its_subject(org, kind, subject, field):
    with pytest.raises(InvalidInput) as refused:
        generation.request_briefing(kind, org.staff.user, **subject)
    assert field in refused.value.errors


def test_generating_needs_the_report_permission(org, incident):
    with pytest.raises(NotPermitted):
        generation.request_briefing("written_report", org.auditor.user, incident=incident)
    assert not Briefing.objects.exists()
