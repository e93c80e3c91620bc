"""The incident API as a monitoring platform and the office's people use it: create, list,
filter, read; idempotent retries; authentication; nothing can be edited or deleted."""
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
import re
from rest_framework.test import APIClient
from django.test import RequestFactory

from incidents import actions
from incidents.api import idempotency
from plans.models import DeadlineKind, ResponsePlan
from incidents.models import Event, IdempotencyKey, Incident, Severity, State, TimelineEntry
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
URL = "/api/v1/incidents/"


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def new_incident(**overrides) -> dict:
    body = {"title": "网传某校食堂饭菜变质", "summary": "微博用户发帖称食堂饭菜变质，引发转发。",
            "source_url": "https://weibo.com/123/abc", "platform": "微博",
            "discovered_at": "2026-11-23T09:55:00+08:00", "urgent": False}
    body.update(overrides)
    return body


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def detect(org, **overrides) -> Incident:
    return actions.detect_incident(org.duty.user, **incident_kwargs(**overrides))


# Create


def test_c01_monitor_logs_incident_via_api_and_report_deadline_opens(org, at_t0):
    response = client_for(org.duty).post(URL, new_incident(), format="json")

    assert response.status_code == 201, response.data
    body = response.data
    assert body["state"] == State.DETECTED and body["revision"] == 1
    assert body["discovered_at"] == "2026-11-23T09:55:00+08:00"
    assert body["plan"]["family"] == "default" and body["plan"]["version"] == 1
    assert body["owner_unit"]["name"] == "舆情办"
    assert body["accountable_leader"]["name"] == "王组长"
    [report] = [d for d in body["deadlines"] if d["kind"] == DeadlineKind.REPORT]
    assert report["clause"] == "C01" and report["state"] == "pending"
    assert report["due_at"] == "2026-11-23T11:55:00+08:00"
    assert report["owed_by_unit"]["name"] == "教务处"
    assert report["owed_by_person"]["name"] == "李值班"
    assert report["minutes_late"] is None and report["overdue"] is False
    assert report["escalation"] is None
    detected = body["timeline"][0]
    assert detected["event"] == Event.DETECTED and detected["actor_name"] == "李值班"
    assert detected["occurred_at"] == "2026-11-23T09:55:00+08:00"
    assert response["ETag"] == '"1"'
    assert Incident.objects.count() == 1


def test_c02_urgent_incident_via_api_owes_verbal_and_written_reports(org, at_t0):
    response = client_for(org.duty).post(URL, new_incident(urgent=True), format="json")

    assert response.status_code == 201
    kinds = {d["kind"]: d for d in response.data["deadlines"]}
    assert set(kinds) == {"report", "verbal_report", "written_report"}
    assert kinds["verbal_report"]["due_at"] == "2026-11-23T10:25:00+08:00"
    assert kinds["written_report"]["due_at"] == "2026-11-23T11:25:00+08:00"


def test_c03_create_under_the_one_hour_plan_given_by_id(org, at_t0):
    one_hour = ResponsePlan.objects.current().get(family="one-hour")
    body = new_incident(plan=one_hour.pk, owner_unit=org.department.pk,
                        accountable_leader=org.leader.pk,
                        source_links=["https://www.douyin.com/video/1"])

    response = client_for(org.duty).post(URL, body, format="json")

    assert response.status_code == 201
    assert response.data["plan"]["family"] == "one-hour"
    assert response.data["owner_unit"]["id"] == org.department.pk
    assert response.data["source_links"] == ["https://www.douyin.com/video/1"]
    [report] = [d for d in response.data["deadlines"] if d["kind"] == "report"]
    assert report["clause"] == "C03" and report["due_at"] == "2026-11-23T10:55:00+08:00"


def test_create_rejects_a_discovery_time_without_offset(org, at_t0):
    response = client_for(org.duty).post(
        URL, new_incident(discovered_at="2026-11-23T09:55:00"), format="json")

    assert response.status_code == 400
    assert "时区" in response.data["discovered_at"][0]
    assert not Incident.objects.exists()


def test_create_lists_each_bad_field(org, at_t0):
    body = new_incident(source_url="not a url", urgent="perhaps", plan=999999)
    del body["title"]

    response = client_for(org.duty).post(URL, body, format="json")

    assert response.status_code == 400
    assert set(response.data) == {"title", "source_url", "urgent", "plan"}
    assert not Incident.objects.exists()


def test_c21_create_rejects_a_discovery_time_in_the_future(org, at_t0):
    response = client_for(org.duty).post(
        URL, new_incident(discovered_at="2026-11-23T11:00:00+08:00"), format="json")

    assert response.status_code == 400
    assert list(response.data) == ["discovered_at"]
    assert not Incident.objects.exists() and not TimelineEntry.objects.exists()


def test_create_needs_the_detect_permission(org, at_t0):
    response = client_for(org.auditor).post(URL, new_incident(), format="json")

    assert response.status_code == 403
    assert "登记舆情" in response.data["detail"] and "detect_incident" not in response.data["detail"]
    assert not Incident.objects.exists()


# Idempotency-Key


def test_retried_create_with_same_key_returns_the_first_incident(org, at_t0):
    client = client_for(org.duty)
    first = client.post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="mon-42")
    # The same fields in another order are the same request.
    reordered = dict(reversed(list(new_incident().items())))
    retry = client.post(URL, reordered, format="json", HTTP_IDEMPOTENCY_KEY="mon-42")

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.data["id"] == first.data["id"]
    assert retry.data["timeline"] == first.data["timeline"]
    assert Incident.objects.count() == 1
    key = IdempotencyKey.objects.get()
    assert key.user == org.duty.user and key.key == "mon-42" and len(key.request_hash) == 64


def test_same_key_with_a_different_body_is_refused_422(org, at_t0):
    client = client_for(org.duty)
    client.post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="mon-42")

    response = client.post(URL, new_incident(title="另一条帖子"), format="json",
                           HTTP_IDEMPOTENCY_KEY="mon-42")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.data["detail"]
    assert Incident.objects.count() == 1


def test_keys_belong_to_their_user(org, at_t0):
    client_for(org.duty).post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    other = client_for(org.staff).post(URL, new_incident(), format="json",
                                       HTTP_IDEMPOTENCY_KEY="k1")

    assert other.status_code == 201
    assert Incident.objects.count() == 2


def test_a_refused_create_does_not_use_up_its_key(org, at_t0):
    client = client_for(org.duty)
    bad = client.post(URL, new_incident(discovered_at="yesterday"), format="json",
                      HTTP_IDEMPOTENCY_KEY="k2")
    good = client.post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="k2")

    assert bad.status_code == 400 and good.status_code == 201
    assert not IdempotencyKey.objects.exclude(incident_id=good.data["id"]).exists()


def test_losing_a_create_race_rolls_back_whole_and_returns_the_winner(org, at_t0,
                                                                       monkeypatch):
    """As if another identical POST committed between our key lookup and our insert: the
    unique constraint refuses our key, our incident is rolled back with it, and we answer with
    the winner's incident."""
    client = client_for(org.duty)
    winner = client.post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="race-0")
    lookup = idempotency.earlier_incident
    calls = []

    def looked_up_too_early(user, key, digest):
        calls.append(key)
        return None if len(calls) == 1 else lookup(user, key, digest)

    monkeypatch.setattr(idempotency, "earlier_incident", looked_up_too_early)

    loser = client.post(URL, new_incident(), format="json", HTTP_IDEMPOTENCY_KEY="race-0")

    assert loser.status_code == 200 and loser.data["id"] == winner.data["id"]
    assert len(calls) == 2
    assert Incident.objects.count() == 1
    assert TimelineEntry.objects.filter(event=Event.DETECTED).count() == 1


# List and filters


def test_list_is_paginated_with_page_size_up_to_200(org):
    leader, unit, plan = org.leader, org.office, ResponsePlan.objects.current().first()
    Incident.objects.bulk_create([
        Incident(title=f"帖子{n}", summary="…", source_url="https://weibo.com/x",
                 platform="微博", discovered_at=T0, owner_unit=unit,
                 accountable_leader=leader, plan=plan) for n in range(205)])
    client = client_for(org.staff)

    default = client.get(URL)
    two = client.get(URL, {"page_size": 2, "page": 3})
    capped = client.get(URL, {"page_size": 1000})

    assert default.data["count"] == 205 and len(default.data["results"]) == 50
    assert len(two.data["results"]) == 2 and "page=4" in two.data["next"]
    assert len(capped.data["results"]) == 200


def test_list_filters_by_state_severity_category_unit_dates_and_text(org):
    with time_machine.travel(T0, tick=False):
        old = detect(org, title="旧帖：教材收费", discovered_at=T0 - timedelta(days=3))
        fresh = detect(org, title="食堂饭菜变质", source_url="https://weibo.com/canteen",
                       owner_unit=org.department)
        reported = actions.report_incident(
            fresh, org.duty.user, actions.Step(channel="phone", recipient="舆情办"))
        actions.classify_incident(reported, org.staff.user, category="inquiry",
                                  severity=Severity.MAJOR)
    client = client_for(org.staff)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.data
        return [row["id"] for row in response.data["results"]]

    assert ids() == [fresh.pk, old.pk]  # newest discovery first
    assert ids(state="classified") == [fresh.pk]
    assert ids(state=["detected", "classified"]) == [fresh.pk, old.pk]
    assert ids(severity="major") == [fresh.pk]
    assert ids(category="inquiry") == [fresh.pk]
    assert ids(unit=org.department.pk) == [fresh.pk]
    assert ids(discovered_before="2026-11-20") == [old.pk]  # a date is the whole day
    assert ids(discovered_after="2026-11-21") == [fresh.pk]
    assert ids(discovered_after="2026-11-23T09:58:00+08:00") == [fresh.pk]
    assert ids(search="canteen") == [fresh.pk]  # the source URL
    assert ids(search="教材") == [old.pk]
    assert ids(search="canteen 变质") == [fresh.pk]  # every word, in any field
    bad = client.get(URL, {"state": "lost", "discovered_after": "soon"})
    assert bad.status_code == 400 and set(bad.data) == {"state", "discovered_after"}


# Retrieve


def test_detail_shows_record_deadlines_and_what_the_user_may_do(org, at_t0):
    incident = detect(org, discovered_at=T0 - timedelta(minutes=5))

    as_duty = client_for(org.duty).get(f"{URL}{incident.pk}/")
    as_staff = client_for(org.staff).get(f"{URL}{incident.pk}/")

    assert as_duty.status_code == 200
    body = as_duty.data
    for field in ["state", "severity", "category", "revision", "plan", "owner_unit",
                  "accountable_leader", "timeline", "deadlines", "available_transitions"]:
        assert field in body
    assert set(body["timeline"][0]) >= {
        "recorded_at", "occurred_at", "actor_name", "event", "from_state", "to_state",
        "channel", "recipient", "clause", "note", "data"}
    assert set(body["deadlines"][0]) >= {
        "id", "kind", "state", "due_at", "met_at", "clause", "owed_by_unit", "owed_by_person",
        "minutes_late", "overdue", "escalation"}
    assert body["timeline"][0]["recorded_at"].endswith("+08:00")
    assert body["available_transitions"] == ["report"]
    assert set(as_staff.data["available_transitions"]) == {"report", "dismiss", "merge"}
    assert "classify" not in as_staff.data["available_transitions"]  # not before the report
    assert "upgrade" in as_staff.data["available_steps"]
    assert as_duty["ETag"] == '"1"'


def test_unknown_incident_is_404(org):
    assert client_for(org.staff).get(f"{URL}999999/").status_code == 404


# Nothing edited, nothing deleted (C24)


def test_c24_timeline_entry_cannot_be_changed_through_api(org, at_t0):
    incident = detect(org)
    entries_before = list(incident.timeline.values())
    client = client_for(org.staff)
    detail = f"{URL}{incident.pk}/"

    answers = [client.put(detail, {"title": "改"}, format="json"),
               client.patch(detail, {"state": "reviewed"}, format="json"),
               client.delete(detail),
               client.delete(f"{detail}report/"),
               client.put(f"{detail}report/", {}, format="json"),
               client.get(f"{detail}timeline/")]

    assert [a.status_code for a in answers[:5]] == [405] * 5
    assert answers[5].status_code == 404  # the record is read only as part of the incident
    assert list(incident.timeline.values()) == entries_before
    incident.refresh_from_db()
    assert incident.title == "网传某校食堂饭菜变质" and incident.state == State.DETECTED


def test_c24_the_api_schema_offers_no_way_to_edit_or_delete(org):
    """Every operation the API documents is a read or a verb; none updates or deletes."""
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                 stdout=out)
    schema = json.loads(out.getvalue())
    ours = {path: operations for path, operations in schema["paths"].items()
            if path.startswith(("/api/v1/incidents/", "/api/v1/deadlines/",
                                "/api/v1/escalations/"))}
    methods = {method for operations in ours.values() for method in operations
               if method != "parameters"}
    assert "/api/v1/incidents/{id}/report/" in ours
    assert methods == {"get", "post"}
    assert not [path for path in ours if "timeline" in path]


# Authentication


def test_unauthenticated_requests_are_refused_401(org):
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert APIClient().post(URL, new_incident(), format="json").status_code == 401


def test_token_from_drf_create_token_authenticates_and_r_revokes_it(org, at_t0):
    out = io.StringIO()
    call_command("drf_create_token", "duty", stdout=out)
    first = re.search(r"Generated token (\w+)", out.getvalue()).group(1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")

    created = client.post(URL, new_incident(), format="json")
    assert created.status_code == 201
    assert created.data["timeline"][0]["actor_name"] == "李值班"

    out = io.StringIO()
    call_command("drf_create_token", "-r", "duty", stdout=out)
    second = re.search(r"Generated token (\w+)", out.getvalue()).group(1)
    assert second != first
    assert client.get(URL).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get(URL).status_code == 200


def test_people_use_the_api_with_their_session(org):
    client = APIClient()
    assert client.login(request=RequestFactory().post("/"), username="staff",
                        password="demo-pass-123")

    assert client.get(URL).status_code == 200


def test_list_and_detail_cost_a_fixed_number_of_queries(org, at_t0,
                                                       django_assert_max_num_queries):
    for n in range(10):
        detect(org, title=f"帖子{n}", urgent=True)
    incident = Incident.objects.first()
    client = client_for(org.staff)

    with django_assert_max_num_queries(3):
        listed = client.get(URL)
    with django_assert_max_num_queries(8):
        detail = client.get(f"{URL}{incident.pk}/")

    assert listed.data["count"] == 10 and len(detail.data["deadlines"]) == 3
