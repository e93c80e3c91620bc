"""The referral API: refer on the incident, the slip's verbs, who sees which slip, and bad
input answered 400 naming the field with nothing stored."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from incidents import actions
from incidents.models import Channel, Event
from organisation import roles
from referrals.models import Referral
from tests.factories import UnitFactory, incident_kwargs, person_with_role

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def at_monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def incident(org):
    found = actions.detect_incident(org.duty.user, **incident_kwargs(
        discovered_at=MONDAY - timedelta(minutes=20)))
    found = actions.report_incident(found, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办"))
    return actions.classify_incident(found, org.staff.user, category="inquiry",
                                     severity="general")


@pytest.fixture
def co_unit():
    return UnitFactory(name="后勤处")


def client(person):
    api = APIClient()
    api.force_authenticate(person.user)
    return api


def refer(org, incident, co_unit, **overrides):
    data = {"lead_unit": org.department.pk, "co_units": [co_unit.pk],
            "instruction": "请教务处牵头、后勤处配合，核实后书面答复", "urgent": False}
    data.update(overrides)
    return client(org.staff).post(f"/api/v1/incidents/{incident.pk}/refer/", data,
                                  format="json")


def test_c11_refer_through_the_api_issues_a_slip_readable_with_its_contract_fields(
        org, incident, co_unit):
    response = refer(org, incident, co_unit, urgent=True)
    assert response.status_code == 200, response.data
    slip = Referral.objects.get(incident=incident)
    detail = client(org.staff).get(f"/api/v1/referrals/{slip.pk}/").data
    assert detail["state"] == "awaiting_reply"
    assert detail["lead_unit"]["name"] == "教务处"
    assert [u["name"] for u in detail["co_units"]] == ["后勤处"]
    # Urgent: Monday 10:00 → Wednesday 10:00 Shanghai.
    assert detail["due_at"] == "2026-11-25T10:00:00+08:00"
    assert detail["replies"] == [] and detail["supervisions"] == []


def test_c12_the_slip_goes_from_reply_to_approval_through_the_api(org, incident, co_unit):
    refer(org, incident, co_unit)
    slip = Referral.objects.get(incident=incident)
    base = f"/api/v1/referrals/{slip.pk}"
    assert client(org.handler).post(f"{base}/extend/", {
        "until": "2026-11-27T09:00:00+08:00", "reason": "需调取监控"},
        format="json").status_code == 200
    assert client(org.handler).post(f"{base}/reply/", {"body": "初步答复"},
                                    format="json").status_code == 200
    returned = client(org.staff).post(f"{base}/return/", {"comment": "请补充整改时限"},
                                      format="json")
    assert returned.status_code == 200 and returned.data["state"] == "returned"
    client(org.handler).post(f"{base}/reply/", {"body": "整改于本周五前完成"}, format="json")
    approved = client(org.staff).post(f"{base}/approve/", {"comment": "同意"}, format="json")
    assert approved.status_code == 200
    assert approved.data["state"] == "approved"
    assert [r["state"] for r in approved.data["replies"]] == ["returned", "approved"]
    assert approved.data["extensions"][0]["reason"] == "需调取监控"
    # Approved: nothing more to do, and a second approval is refused 409.
    again = client(org.staff).post(f"{base}/approve/", {"comment": ""}, format="json")
    assert again.status_code == 409


def test_c13_supervise_through_the_api_records_who_how_and_what_was_promised(
        org, incident, co_unit, at_monday):
    refer(org, incident, co_unit)
    slip = Referral.objects.get(incident=incident)
    response = client(org.staff).post(f"/api/v1/referrals/{slip.pk}/supervise/", {
        "channel": "phone", "note": "承诺周三前答复"}, format="json")
    assert response.status_code == 200
    chase = response.data["supervisions"][0]
    assert chase["channel"] == "phone" and chase["supervised_by"] == "赵干事"
    assert chase["note"] == "承诺周三前答复"


def test_c12_co_units_see_the_slip_and_each_department_has_its_worklist(org, incident,
                                                                        co_unit):
    helper = person_with_role(roles.DEPARTMENT_HANDLER, co_unit, "孙后勤", "logistics")
    stranger = person_with_role(roles.DEPARTMENT_HANDLER, UnitFactory(name="财务处"),
                                "郑财务", "finance")
    refer(org, incident, co_unit)
    slip = Referral.objects.get(incident=incident)
    assert [s["id"] for s in client(org.handler).get("/api/v1/referrals/?open=true")
            .data["results"]] == [slip.pk]
    assert [s["id"] for s in client(helper).get("/api/v1/referrals/").data["results"]] \
        == [slip.pk]
    assert client(helper).get(f"/api/v1/referrals/{slip.pk}/").status_code == 200
    assert client(stranger).get("/api/v1/referrals/").data["results"] == []
    assert client(stranger).get(f"/api/v1/referrals/{slip.pk}/").status_code == 404
    # A co-unit sees it but does not reply for the lead unit.
    assert client(helper).post(f"/api/v1/referrals/{slip.pk}/reply/", {"body": "我处配合"},
                               format="json").status_code == 403
    assert not slip.replies.exists()


def test_c13_the_overdue_filter_lists_slips_past_their_reply_time(org, incident, co_unit,
                                                                  at_monday):
    refer(org, incident, co_unit)
    assert client(org.staff).get("/api/v1/referrals/?overdue=true").data["results"] == []
    at_monday.move_to(datetime(2026, 11, 26, 10, 1, tzinfo=SH))
    listed = client(org.staff).get("/api/v1/referrals/?overdue=true").data["results"]
    assert len(listed) == 1 and listed[0]["overdue"] is True


@pytest.mark.parametrize("verb,data,field", [
    ("reply", {"body": ""}, "body"),
    ("extend", {"until": "2026-11-25T10:00:00", "reason": "x"}, "until"),
    ("extend", {"until": "2026-12-31T10:00:00+08:00", "reason": "超过上限"}, "until"),
    ("extend", {"until": "2026-11-20T10:00:00+08:00", "reason": "早于现在"}, "until"),
    ("extend", {"until": "2026-11-25T10:00:00+08:00"}, "reason"),
    ("return", {"comment": ""}, "comment"),
    ("supervise", {"channel": "pigeon", "note": "x"}, "channel"),
    ("supervise", {"channel": "phone", "note": ""}, "note"),
    ("reply", {"body": "x", "occurred_at": "2026-11-23T18:00:00+08:00"}, "occurred_at"),
])
def test_c12_bad_input_is_refused_400_naming_the_field_and_nothing_is_stored(
        org, incident, co_unit, verb, data, field):
    refer(org, incident, co_unit)
    slip = Referral.objects.get(incident=incident)
    if verb == "return":
        client(org.handler).post(f"/api/v1/referrals/{slip.pk}/reply/", {"body": "答复"},
                                 format="json")
    entries = incident.timeline.count()
    actor = org.handler if verb in ("reply", "extend") else org.staff
    response = client(actor).post(f"/api/v1/referrals/{slip.pk}/{verb}/", data, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert incident.timeline.count() == entries
    assert not slip.extensions.exists() and not slip.supervisions.exists()


@pytest.mark.parametrize("data,field", [
    ({"lead_unit": 99999}, "lead_unit"),
    ({"instruction": ""}, "instruction"),
    ({"co_units": "same-as-lead"}, "co_units"),
    ({"occurred_at": "2026-11-24T10:00:00+08:00"}, "occurred_at"),
])
def test_c11_bad_refer_payload_is_refused_400_and_no_slip_is_issued(org, incident, co_unit,
                                                                    data, field):
    if data.get("co_units") == "same-as-lead":
        data = {"co_units": [org.department.pk]}
    response = refer(org, incident, co_unit, **data)
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Referral.objects.exists()
    assert not incident.timeline.filter(event=Event.REFERRED).exists()
