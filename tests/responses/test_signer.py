"""The 签发人 of a generated report is the approver of record, with the time they approved, or
absent — never a name typed into a template that nobody signed as (C16)."""
import io

import pypdf
import pytest

from briefings import generation
from briefings.documents.common import Request
from briefings.models import BriefingTemplate
from responses import actions
from tests.responses.helpers import drafted, incident_at

pytestmark = pytest.mark.django_db


def printed(incident) -> str:
    template = BriefingTemplate.default()
    template.signer = "王建国"  # what an office once typed in: nobody signs as it
    template.save()
    rendered = generation.render("written_report", Request(
        template=template, incident=incident, document_number="舆情办〔2026〕9号"))
    reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_c16_written_report_without_any_approval_has_no_signer(office, clock):
    incident = incident_at(office, "major")
    drafted(office, incident)  # drafted, not approved: nobody has signed anything

    text = printed(incident)

    assert "签发人" not in text
    assert "王建国" not in text and office.leader.name not in text


def test_c16_written_report_signer_is_the_approver_of_record_and_time(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    clock.shift(600)
    actions.approve_draft(draft, office.deputy.user, comment="同意发布")
    version = draft.versions.get(number=1)
    version.refresh_from_db()

    text = printed(incident)

    assert "签发人：陈副组长（2026年11月23日10:10审定）" in text
    assert version.approved_at.minute == 10
    assert "王建国" not in text
