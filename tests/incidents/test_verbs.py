"""The verb registry (incidents.verbs): one declaration gives each verb its API route, its page
form, its admin action and its permission; `next_actions` tells each role what it may do now;
and the step path keeps a step's stated time beside its recorded time (补录, C21)."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from incidents import verbs
from incidents.admin.transitions import admin_action
from incidents.models import Event, State
from incidents.verb_forms import form_class
from tests.incidents.test_api_verbs import T0, at_t0, client_for, post, through  # noqa: F401

pytestmark = pytest.mark.django_db


def test_every_verb_has_an_api_route_a_page_form_an_admin_action_and_a_permission(org):
    incident = through(org, State.DETECTED)
    for verb in verbs.REGISTRY.values():
        route = reverse(f"incident-{verb.name}", args=[incident.pk])
        assert route == f"/api/v1/incidents/{incident.pk}/{verb.name}/"
        assert reverse("incident-step", args=[incident.pk, verb.slug])
        payload_fields = set(verb.payload().fields) - {"expected_revision"}
        assert payload_fields <= set(form_class(verb).base_fields), verb.name
        assert admin_action(verb).__name__ == f"step_{verb.slug}"
        assert Permission.objects.filter(content_type__app_label="incidents",
                                         codename=verb.permission).exists(), verb.name


def test_every_verb_route_refuses_a_role_without_its_permission(org):
    """The auditor is read-only (issue 13): every verb's route answers 403 and the incident is
    unchanged (the permission is checked in one place, for every route)."""
    incident = through(org, State.DETECTED)
    for verb in verbs.REGISTRY.values():
        response = post(org.auditor, incident, verb.name, {})
        assert response.status_code in (400, 403), (verb.name, response.status_code)
        if response.status_code == 400:  # the payload is checked before the role's verb runs
            response = post(org.auditor, incident, verb.name, _valid_body(verb.name))
        assert response.status_code == 403, (verb.name, response.json())
    incident.refresh_from_db()
    assert incident.state == State.DETECTED and incident.revision == 1


def _valid_body(name):
    return {"report": {"channel": "phone", "recipient": "舆情办"},
            "verbal-report": {"recipient": "舆情办", "note": "电话"},
            "written-report": {}, "superior-report": {"recipient": "上级"}, "follow-up": {},
            "classify": {"category": "inquiry", "severity": "general"},
            "upgrade": {"severity": "major", "reason": "扩散"},
            "metrics": {"stage": "outbreak"}, "respond": {"response": "已答复"},
            "summary": {"recipient": "领导小组"}, "review": {"findings": "结论"},
            "dismiss": {"note": "非舆情"},
            "merge": {"into": 1}, "reassign": {"reason": "调整", "owner_unit": 1},
            "adopt-plan": {"plan": 1, "reason": "新版"},
            "drafts": {"kind": "reply", "body": "答复"}, "spokesperson": {"person": 1},
            "bulletin": {"note": "网络舆情通报"}}[name]


@pytest.mark.parametrize("state,role,expected,absent", [
    (State.DETECTED, "duty", {"report"}, {"classify", "dismiss", "respond", "review"}),
    (State.DETECTED, "staff", {"report", "dismiss", "merge"}, {"classify", "review"}),
    (State.DETECTED, "auditor", set(), {"report", "classify", "dismiss", "review"}),
    (State.REPORTED, "staff", {"classify", "dismiss"}, {"report", "review"}),
    (State.REPORTED, "duty", set(), {"classify", "dismiss", "report"}),
    (State.CLASSIFIED, "staff", {"respond", "dismiss"}, {"classify", "review"}),
    (State.RESPONDED, "staff", {"summary"}, {"respond", "review", "dismiss"}),
    (State.RESPONDED, "leader", {"review"}, {"respond", "dismiss"}),
    (State.REVIEWED, "staff", set(), {"review", "respond", "summary", "dismiss"}),
    (State.REVIEWED, "auditor", set(), {"review"}),
])
def test_next_actions_for_each_role_in_each_state(org, state, role, expected, absent):
    incident = through(org, state)
    person = getattr(org, role)
    names = {verb.name for verb in verbs.next_actions(incident, person.user)}
    assert expected <= names
    assert not names & absent
    api = client_for(person).get(f"/api/v1/incidents/{incident.pk}/").json()
    assert set(api["next_actions"]) == names
    assert set(api["available_transitions"]) | set(api["available_steps"]) == names


def test_page_offers_only_the_forms_of_next_actions(org, client):
    incident = through(org, State.REPORTED)
    client.force_login(org.duty.user)
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'id="step-classify"' not in page and 'id="step-dismiss"' not in page
    client.force_login(org.staff.user)
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'id="step-classify"' in page and 'id="step-dismiss"' in page


def test_c21_stated_time_in_the_future_or_before_discovery_is_refused(org):
    incident = through(org, State.DETECTED)
    body = {"channel": "phone", "recipient": "舆情办"}
    future = post(org.duty, incident, "report", {**body, "occurred_at": (T0 + timedelta(
        minutes=5)).isoformat()})
    assert future.status_code == 400 and "occurred_at" in future.json()
    early = post(org.duty, incident, "report", {**body, "occurred_at": (incident.discovered_at
                 - timedelta(minutes=1)).isoformat()})
    assert early.status_code == 400 and "occurred_at" in early.json()
    incident.refresh_from_db()
    assert incident.state == State.DETECTED and incident.revision == 1


def test_c21_step_stated_beyond_the_plans_tolerance_needs_a_reason_and_is_marked_recorded_late(
        org, at_t0):  # noqa: F811
    incident = through(org, State.DETECTED)  # discovered at T0 - 10 min
    at_t0.move_to(T0 + timedelta(minutes=30))
    stated = (T0 - timedelta(minutes=5)).isoformat()  # 35 min before it is recorded (> 15)
    body = {"channel": "phone", "recipient": "舆情办", "occurred_at": stated}
    refused = post(org.duty, incident, "report", body)
    assert refused.status_code == 400 and "late_reason" in refused.json()
    done = post(org.duty, incident, "report", {**body, "late_reason": "值班电话记录事后补录"})
    assert done.status_code == 200
    entry = incident.timeline.get(event=Event.REPORTED)
    assert entry.recorded_late and entry.late_reason == "值班电话记录事后补录"
    assert entry.occurred_at == T0 - timedelta(minutes=5)
    assert entry.recorded_at == T0 + timedelta(minutes=30)


def test_c21_step_within_the_tolerance_needs_no_reason(org, at_t0):  # noqa: F811
    incident = through(org, State.DETECTED)
    at_t0.move_to(T0 + timedelta(minutes=10))
    done = post(org.duty, incident, "report", {
        "channel": "phone", "recipient": "舆情办",
        "occurred_at": T0.isoformat()})  # 10 min before it is recorded
    assert done.status_code == 200
    assert not incident.timeline.get(event=Event.REPORTED).recorded_late
