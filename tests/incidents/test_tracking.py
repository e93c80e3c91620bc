"""C22: after the response the office names who keeps tracking; a tracking check falls due on
the plan's cadence until the office records the incident resolved; new heat reopens handling."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents import actions, verbs
from incidents.classification import Heat
from incidents.models import Deadline, Event, State
from opinion_ops.errors import InvalidInput, NotPermitted
from plans.models import DeadlineKind
from tests.incidents.helpers import classify, detect, events, report
from tests.support.responding import answer_approved
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def responded(org):
    with time_machine.travel(T0, tick=False) as traveller:
        incident = detect(org, discovered_at=T0)
        report(org, incident)
        classify(org, incident)
        actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=200, comments=10),
                               stage="persistent")
        answer_approved(org, incident)
        actions.respond_incident(incident, org.handler.user, actions.Step(note="已答复"),
                                 response="已答复")
        incident.refresh_from_db()
        yield incident, traveller


def _checks(incident):
    return list(Deadline.objects.filter(incident=incident, kind=DeadlineKind.TRACKING_CHECK)
                .order_by("sequence"))


def test_c22_office_names_tracker_and_checks_repeat_daily_until_resolved(org, responded):
    incident, clock = responded
    with pytest.raises(NotPermitted):
        actions.assign_tracker(incident, org.handler.user, person=org.handler)
    actions.assign_tracker(incident, org.staff.user, person=org.handler)
    [first] = _checks(incident)
    assert first.owed_by_person == org.handler and first.clause == "C22"
    assert first.due_at == T0 + timedelta(days=1)
    clock.shift(timedelta(hours=20))
    actions.check_tracking(incident, org.handler.user, step=actions.Step(note="热度平稳"))
    first, second = _checks(incident)
    assert first.state == Deadline.State.MET and second.state == Deadline.State.PENDING
    # Unchecked: the sweep breaches the next check like any deadline.
    with time_machine.travel(second.due_at, tick=False):
        assert second.pk in sweep_all().breached
    actions.resolve_incident(incident, org.staff.user, step=actions.Step(note="已化解"))
    assert [e.clause for e in events(incident, Event.RESOLVED)] == ["C22"]
    with pytest.raises(InvalidInput):
        actions.check_tracking(incident, org.handler.user)
    assert not Deadline.objects.filter(incident=incident, kind=DeadlineKind.TRACKING_CHECK,
                                       state=Deadline.State.PENDING).exists()


def test_c22_tracking_only_after_the_response(org):
    incident = detect(org)
    report(org, incident)
    classify(org, incident)
    with pytest.raises(InvalidInput) as exc:
        actions.assign_tracker(incident, org.staff.user, person=org.handler)
    assert "state" in exc.value.errors


def test_c22_new_heat_while_tracking_reopens_handling(org, responded):
    incident, clock = responded
    actions.assign_tracker(incident, org.staff.user, person=org.handler)
    follow_ups_before = Deadline.objects.filter(incident=incident,
                                                kind=DeadlineKind.FOLLOW_UP).unsettled().count()
    clock.shift(timedelta(hours=2))
    actions.record_metrics(incident, org.handler.user, heat=Heat(clicks=180, comments=8),
                           stage="ending")
    assert not events(incident, Event.RELAPSED)
    actions.record_metrics(incident, org.handler.user, heat=Heat(clicks=600, comments=40),
                           stage="outbreak", stage_reason="反弹")
    [relapse] = events(incident, Event.RELAPSED)
    assert relapse.clause == "C22" and "180→600" in relapse.note
    assert Deadline.objects.filter(incident=incident, kind=DeadlineKind.FOLLOW_UP) \
        .unsettled().count() == follow_ups_before + 1


def test_c22_tracking_api(org, responded, client):
    incident, _ = responded
    client.force_login(org.staff.user)
    base = f"/api/v1/incidents/{incident.pk}"
    assert client.post(f"{base}/tracking/", {"person": 999999},
                       content_type="application/json").status_code == 400
    assert not _checks(incident)
    response = client.post(f"{base}/tracking/", {"person": org.handler.pk},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert len(_checks(incident)) == 1
    assert client.post(f"{base}/resolve/", {}, content_type="application/json").status_code == 200
    assert events(incident, Event.RESOLVED)


def test_c22_a_relapse_after_resolution_reopens_handling_state_and_deadlines(org, responded):
    incident, clock = responded
    actions.assign_tracker(incident, org.staff.user, person=org.handler)
    actions.resolve_incident(incident, org.staff.user)
    clock.shift(timedelta(hours=2))
    incident = actions.record_metrics(incident, org.handler.user,
                                      heat=Heat(clicks=900, comments=60), stage="outbreak",
                                      stage_reason="反弹")
    assert incident.state == State.CLASSIFIED  # handling again: to be responded to anew
    [relapse] = events(incident, Event.RELAPSED)
    assert relapse.data["from_state"] == State.RESPONDED and "重新处置" in relapse.note
    owed = Deadline.objects.filter(incident=incident).unsettled()
    assert owed.filter(kind=DeadlineKind.FOLLOW_UP).exists()
    assert not owed.filter(kind__in=[DeadlineKind.TRACKING_CHECK, DeadlineKind.SUMMARY]).exists()
    assert "respond" in {verb.name for verb in verbs.next_actions(incident, org.staff.user)}
    answer_approved(org, incident)
    incident = actions.respond_incident(incident, org.handler.user,
                                        actions.Step(note="再次答复"), response="再次通报处置进展")
    assert incident.state == State.RESPONDED
    # No longer resolved: the office names a tracker again and may record it resolved again.
    actions.assign_tracker(incident, org.staff.user, person=org.handler)
    actions.resolve_incident(incident, org.staff.user)
    assert len(events(incident, Event.RESOLVED)) == 2


def test_c22_leadership_is_not_offered_the_office_only_verbs(org, responded):
    incident, _ = responded
    offered = {verb.name for verb in verbs.next_actions(incident, org.leader.user)}
    assert not offered & {"tracking", "resolve"}
    assert {"tracking", "resolve"} <= {verb.name for verb in
                                       verbs.next_actions(incident, org.staff.user)}
    with pytest.raises(NotPermitted, match="只有舆情办"):
        actions.resolve_incident(incident, org.leader.user)
