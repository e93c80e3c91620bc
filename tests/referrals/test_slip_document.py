"""The referral slip as an official document (briefing kind `referral_slip`, C11–C13)."""
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from briefings import generation
from briefings.models import Briefing, BriefingTemplate
from incidents import actions
from incidents.models import Channel
from referrals import actions as referrals
from tests.briefings.pdf_reading import page_texts
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def test_c12_the_slip_document_names_units_instruction_due_time_and_chases(org):
    with time_machine.travel(MONDAY, tick=False):
        incident = actions.detect_incident(org.duty.user, **incident_kwargs(
            discovered_at=MONDAY - timedelta(minutes=20)))
        incident = actions.report_incident(incident, org.duty.user, actions.Step(
            channel=Channel.PHONE, recipient="舆情办"))
        incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                             severity="general")
        slip = referrals.refer_incident(incident, org.staff.user, lead_unit=org.department,
                                        instruction="请教务处于三日内核实答复", urgent=True)
        referrals.supervise_referral(slip, org.staff.user, channel=Channel.PHONE,
                                     note="承诺周二下班前答复")
        briefing = generation.request_briefing(Briefing.Kind.REFERRAL_SLIP, org.staff.user,
                                               incident=incident, enqueue=False)
        briefing = generation.generate_briefing(briefing.pk)
    assert briefing.status == Briefing.Status.READY, briefing.error
    text = "".join(page_texts(io.BytesIO(briefing.file.read()))).replace("\n", "").replace(" ", "")
    assert "网络舆情抄告单" in text
    assert "请教务处于三日内核实答复" in text
    assert "教务处牵头" in text and "2026年11月25日" in text  # urgent: 2 working days
    assert "承诺周二下班前答复" in text
    assert BriefingTemplate.default().issuer in text


def test_c11_issuing_a_slip_makes_its_document_at_once_for_that_slip(org):
    with time_machine.travel(MONDAY, tick=False):
        incident = actions.detect_incident(org.duty.user, **incident_kwargs(
            discovered_at=MONDAY - timedelta(minutes=20)))
        incident = actions.report_incident(incident, org.duty.user, actions.Step(
            channel=Channel.PHONE, recipient="舆情办"))
        incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                             severity="general")
        first = referrals.refer_incident(incident, org.staff.user, lead_unit=org.department,
                                         instruction="第一份：请核实收费依据")
        second = referrals.refer_incident(incident, org.staff.user, lead_unit=org.department,
                                          instruction="第二份：请说明整改安排")
        documents = Briefing.objects.filter(kind=Briefing.Kind.REFERRAL_SLIP, incident=incident)
        assert {d.referral_id for d in documents} == {first.pk, second.pk}
        assert all(d.status == Briefing.Status.QUEUED for d in documents)
        rendered = generation.generate_briefing(documents.get(referral=first).pk)
    assert rendered.status == Briefing.Status.READY, rendered.error
    text = "".join(page_texts(io.BytesIO(rendered.file.read()))).replace("\n", "").replace(" ", "")
    assert "第一份：请核实收费依据" in text  # the slip it was made for, not the latest
    assert "第二份" not in text
