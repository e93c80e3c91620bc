"""C05: follow-up reports carry their structure (progress, new developments, next steps) on
the record and in the briefings; the plan says from which severity they are due."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from incidents import actions
from incidents.models import Event
from plans.models import DeadlineKind, ResponsePlan
from plans.versions import revise_plan
from tests.briefings.test_documents import render, text_of
from tests.incidents.helpers import classify, detect, report

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_c05_a_follow_up_keeps_progress_developments_and_next_steps_apart(org, clock):
    incident = detect(org)
    report(org, incident)
    classify(org, incident, severity="major")
    clock.shift(timedelta(hours=1))
    client = APIClient()
    client.force_authenticate(org.staff.user)

    answer = client.post(f"/api/v1/incidents/{incident.pk}/follow-up/", {
        "recipient": "领导小组", "progress": "已约谈食堂承包方，封存当日留样",
        "developments": "市场监管局进场抽检", "next_steps": "检测结果出来后当日公布"},
        format="json")

    assert answer.status_code == 200, answer.data
    entry = incident.timeline.get(event=Event.FOLLOW_UP_REPORT)
    assert entry.data == {"number": 1, "progress": "已约谈食堂承包方，封存当日留样",
                          "developments": "市场监管局进场抽检",
                          "next_steps": "检测结果出来后当日公布"}
    text = text_of(render("written_report", incident))
    assert "处置进展：已约谈食堂承包方，封存当日留样" in text
    assert "新情况：市场监管局进场抽检" in text
    assert "下一步：检测结果出来后当日公布" in text


def test_c05_as_shipped_a_general_incident_owes_no_follow_ups(org):
    incident = detect(org)
    report(org, incident)
    classify(org, incident, severity="general")

    assert ResponsePlan.objects.get(pk=incident.plan_id).follow_up_from_severity == "major"
    assert not incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists()


def test_c05_a_plan_may_ask_follow_ups_of_general_incidents_too(org, clock):
    plan = ResponsePlan.objects.current().get(family="default")
    revised = revise_plan(plan, values={"follow_up_from_severity": "general"},
                          change_note="一般舆情也须续报")
    incident = detect(org, plan=revised)
    report(org, incident)
    classify(org, incident, severity="general")

    first = incident.deadlines.get(kind=DeadlineKind.FOLLOW_UP)
    assert first.due_at == T0 + timedelta(hours=revised.rule_for(DeadlineKind.FOLLOW_UP).amount)
    assert not incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).exists()

    clock.shift(timedelta(minutes=30))
    actions.upgrade_severity(incident, org.staff.user, severity="major", reason="扩散")

    # Becoming major still starts the major procedure; the follow-ups already owed go on.
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1
    assert incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).count() == 1
