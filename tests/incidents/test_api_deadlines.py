"""Deadlines and escalations through the API: what is due, what is overdue, who was told, and
the acknowledgement that stops a ladder."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from incidents import actions
from incidents.models import Channel, Deadline, Escalation, Event, State
from plans.models import DeadlineKind
from tests.factories import incident_kwargs
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DEADLINES = "/api/v1/deadlines/"
ESCALATIONS = "/api/v1/escalations/"


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def detect(org, **overrides):
    return actions.detect_incident(org.duty.user,
                                   **incident_kwargs(discovered_at=T0, **overrides))


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep_all()


def get_at(moment, person, url, params=None):
    with time_machine.travel(moment, tick=False):
        response = client_for(person).get(url, params or {})
    assert response.status_code == 200, response.data
    return response.data


@pytest.fixture
def two_incidents(org):
    """An urgent incident (report, verbal, written owed) and a plain one, found at 10:00."""
    with time_machine.travel(T0, tick=False):
        urgent = detect(org, urgent=True, title="紧急：校车事故谣言")
        plain = detect(org, title="教材收费咨询")
    return urgent, plain


def test_c02_overdue_filter_finds_pending_rows_past_due_before_any_sweep(org, two_incidents):
    urgent, plain = two_incidents
    at = T0 + timedelta(minutes=45)  # verbal report (30 min) is 15 minutes overdue

    overdue = get_at(at, org.staff, DEADLINES, {"overdue": "true"})["results"]
    on_time = get_at(at, org.staff, DEADLINES, {"overdue": "false"})["results"]

    [verbal] = overdue
    assert verbal["incident"] == urgent.pk and verbal["kind"] == "verbal_report"
    assert verbal["state"] == "pending" and verbal["overdue"] is True
    assert verbal["minutes_late"] == 15  # overdue so far
    assert verbal["clause"] == "C02"
    assert {d["kind"] for d in on_time} == {"report", "written_report"}
    assert all(d["minutes_late"] is None for d in on_time)


def test_deadlines_filter_by_incident_kind_state_and_due_window(org, two_incidents):
    urgent, plain = two_incidents
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        actions.report_incident(urgent, org.duty.user,
                                actions.Step(channel=Channel.PHONE, recipient="舆情办"))
    at = T0 + timedelta(minutes=30)

    def kinds(**params):
        return sorted((d["incident"], d["kind"])
                      for d in get_at(at, org.staff, DEADLINES, params)["results"])

    assert kinds(incident=plain.pk) == [(plain.pk, "report")]
    assert kinds(kind="report") == sorted([(urgent.pk, "report"), (plain.pk, "report")])
    assert kinds(state="met") == [(urgent.pk, "report"), (urgent.pk, "verbal_report")]
    assert kinds(due_before="2026-11-23T10:30:00+08:00") == [(urgent.pk, "verbal_report")]
    assert kinds(due_after="2026-11-23T11:30:00+08:00", state="pending") == sorted([
        (urgent.pk, "written_report"), (plain.pk, "report")])
    assert kinds(due_after="2026-11-23", due_before="2026-11-23") == kinds()
    assert kinds(due_after="2026-11-24") == []
    response = client_for(org.staff).get(DEADLINES, {"kind": "lunch", "overdue": "maybe"})
    assert response.status_code == 400 and set(response.data) == {"kind", "overdue"}


def test_c01_breached_deadline_shows_its_escalation_and_who_was_told(org, two_incidents):
    urgent, plain = two_incidents
    sweep_at(T0 + timedelta(hours=2))
    sweep_at(T0 + timedelta(hours=2, minutes=15))  # second rung: the office

    body = get_at(T0 + timedelta(hours=2, minutes=20), org.staff, DEADLINES,
                  {"incident": plain.pk, "kind": "report"})
    [report] = body["results"]

    assert report["state"] == "breached" and report["overdue"] is True
    assert report["minutes_late"] == 20
    ladder = report["escalation"]
    assert ladder["level"] == 2 and ladder["state"] == "open"
    assert [(n["level"], n["audience"]) for n in ladder["notices"]] == [(1, "owner"),
                                                                       (2, "office")]
    assert ladder["notices"][0]["recipients"] == ["李值班"]
    assert set(ladder["notices"][1]["recipients"]) == {"赵干事", "周审计"}
    assert ladder["notices"][0]["created_at"] == "2026-11-23T12:00:00+08:00"
    detail = get_at(T0 + timedelta(hours=3), org.staff, f"/api/v1/incidents/{plain.pk}/")
    assert detail["deadlines"][0]["escalation"]["id"] == ladder["id"]


def test_c13_acknowledge_via_api_stops_the_ladder_once(org, two_incidents):
    urgent, plain = two_incidents
    sweep_at(T0 + timedelta(hours=2))
    ladder = Escalation.objects.get(deadline__incident=plain)
    url = f"{ESCALATIONS}{ladder.pk}/acknowledge/"

    listed = get_at(T0 + timedelta(hours=2), org.staff, ESCALATIONS,
                    {"incident": plain.pk, "state": "open"})["results"]
    with time_machine.travel(T0 + timedelta(hours=2, minutes=5), tick=False):
        first = client_for(org.staff).post(url, {"note": "已电话督促教务处"}, format="json")
        again = client_for(org.leader).post(url, {}, format="json")
    climbed = sweep_at(T0 + timedelta(hours=5)).climbed

    assert [e["id"] for e in listed] == [ladder.pk]
    assert listed[0]["deadline"]["kind"] == "report" and listed[0]["incident"] == plain.pk
    assert first.status_code == 200, first.data
    assert first.data["state"] == "acknowledged"
    assert first.data["acknowledged_by"] == "赵干事"
    assert first.data["acknowledged_at"] == "2026-11-23T12:05:00+08:00"
    assert again.status_code == 409 and again.data["state"] == "acknowledged"
    assert ladder.pk not in climbed  # the urgent incident's ladders go on climbing
    ladder.refresh_from_db()
    assert ladder.level == 1 and ladder.notices.count() == 1
    [entry] = plain.timeline.filter(event=Event.ACKNOWLEDGED)
    assert entry.data["via"] == "api" and entry.actor_name == "赵干事"
    assert get_at(T0 + timedelta(hours=5), org.staff, ESCALATIONS,
                  {"incident": plain.pk, "state": "open"})["results"] == []


def test_acknowledging_a_ladder_whose_deadline_was_met_is_409(org, two_incidents):
    urgent, plain = two_incidents
    sweep_at(T0 + timedelta(hours=2))
    with time_machine.travel(T0 + timedelta(hours=2, minutes=1), tick=False):
        actions.report_incident(plain, org.duty.user,
                                actions.Step(channel=Channel.WRITTEN, recipient="舆情办"))
    ladder = Escalation.objects.get(deadline__incident=plain)

    response = client_for(org.staff).post(f"{ESCALATIONS}{ladder.pk}/acknowledge/")

    assert response.status_code == 409 and response.data["state"] == "resolved"
    assert Deadline.objects.get(incident=plain, kind=DeadlineKind.REPORT).minutes_late == 1


def test_deadlines_and_escalations_are_read_only(org, two_incidents):
    urgent, plain = two_incidents
    sweep_at(T0 + timedelta(hours=2))
    row = Deadline.objects.filter(incident=plain).first()
    ladder = Escalation.objects.get(deadline=row)
    client = client_for(org.staff)

    answers = [client.post(DEADLINES, {}, format="json"),
               client.patch(f"{DEADLINES}{row.pk}/", {"state": "met"}, format="json"),
               client.delete(f"{DEADLINES}{row.pk}/"),
               client.put(f"{ESCALATIONS}{ladder.pk}/", {}, format="json"),
               client.delete(f"{ESCALATIONS}{ladder.pk}/")]

    assert [a.status_code for a in answers] == [405] * 5
    row.refresh_from_db()
    assert row.state == Deadline.State.BREACHED
    assert plain.state == State.DETECTED
