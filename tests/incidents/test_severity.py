"""Severity follows the heat (C08, C09): the highest of the plan's rules on the latest snapshot
and what a person set with a reason; raised once, never silently lowered."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from incidents import actions
from incidents.classification import Heat, severity_from_metrics
from incidents.models import Event, MetricSnapshot, Severity, Stage, State
from opinion_ops.errors import InvalidInput
from plans import versions
from plans.models import DeadlineKind, ResponsePlan
from tests.factories import incident_kwargs
from tests.incidents.helpers import classify, report

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
SHIPPED = ["default", "one-hour"]
G, M, E = Severity.GENERAL, Severity.MAJOR, Severity.ESPECIALLY_MAJOR
TOPICS = ["emergency", "ethnic", "food", "health", "natural_disaster", "product_quality",
          "safety", "secrecy"]


@pytest.fixture(autouse=True)
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def detected(org, **overrides):
    return actions.detect_incident(org.duty.user, **incident_kwargs(
        discovered_at=T0 - timedelta(minutes=10), **overrides))


def reported(org, **overrides):
    return report(org, detected(org, **overrides))


def metrics(org, incident, stage=Stage.OUTBREAK, **figures):
    return actions.record_metrics(incident, org.staff.user, heat=Heat(**figures), stage=stage)


THRESHOLDS = [
    # clicks, comments, sites, expected
    (999, 0, 0, G), (1000, 0, 0, M), (2999, 0, 0, M), (3000, 0, 0, E),
    (0, 99, 0, G), (0, 100, 0, M), (0, 499, 0, M), (0, 500, 0, E),
    (0, 0, 0, G), (0, 0, 4, M), (0, 0, 5, E),
    # The highest level any rule reaches wins.
    (999, 500, 0, E), (3000, 99, 4, E), (1000, 100, 4, M),
]


@pytest.mark.parametrize("family", SHIPPED)
@pytest.mark.parametrize("clicks,comments,sites,expected", THRESHOLDS)
def test_c08_thresholds_of_the_shipped_plans(family, clicks, comments, sites, expected):
    plan = ResponsePlan.objects.current().get(family=family)
    finding = severity_from_metrics(plan, Heat(clicks=clicks, comments=comments,
                                               mainstream_sites=sites))
    assert finding.severity == expected


@pytest.mark.parametrize("family", SHIPPED)
@pytest.mark.parametrize("topic", TOPICS)
def test_c08_each_sensitive_topic_of_the_shipped_plans_is_especially_major(family, topic):
    plan = ResponsePlan.objects.current().get(family=family)
    finding = severity_from_metrics(plan, Heat(topics=(topic,)))
    assert finding.severity == E
    assert plan.sensitive_topics.get(code=topic).name in finding.rule


def test_c08_a_topic_the_office_removes_from_its_plan_no_longer_counts(org):
    plan = ResponsePlan.objects.current().get(family="default")
    draft = versions.start_revision(plan)
    draft.sensitive_topics.filter(code="food").delete()
    versions.publish(draft, "食品安全交由市场监管部门研判")
    assert severity_from_metrics(draft, Heat(topics=("food",))).severity == G
    assert severity_from_metrics(plan, Heat(topics=("food",))).severity == E  # old version kept
    assert draft.sensitive_topics.filter(code="health").exists()


@pytest.mark.parametrize("family", SHIPPED)
@pytest.mark.parametrize("clicks,expected", [(999, G), (1000, M), (2999, M), (3000, E)])
def test_c08_a_snapshot_through_the_action_path_sets_the_level(org, family, clicks, expected):
    plan = ResponsePlan.objects.current().get(family=family)
    incident = classify(org, reported(org, plan=plan), severity=G)
    incident = metrics(org, incident, clicks=clicks)
    assert incident.severity == expected


def test_c08_classify_general_with_a_5000_click_snapshot_is_especially_major(org):
    incident = reported(org)
    metrics(org, incident, clicks=5000)
    incident = classify(org, incident, severity=G)
    assert incident.severity == E
    assert "点击量 5000 ≥ 3000" in incident.severity_rule
    entry = incident.timeline.get(event=Event.CLASSIFIED)
    assert "特别重大" in entry.note and "点击量 5000 ≥ 3000" in entry.note
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1


def test_c08_a_snapshot_taken_before_the_report_counts_at_classification(org):
    incident = detected(org)
    metrics(org, incident, clicks=0, comments=600)
    incident = classify(org, report(org, incident), severity=G)
    assert incident.severity == E
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1


def test_c09_an_early_upgrade_survives_a_lower_classification(org):
    incident = actions.upgrade_severity(reported(org), org.staff.user, severity=M,
                                        reason="多名家长联名投诉，或将扩散")
    incident = classify(org, incident, severity=G)
    assert incident.severity == M
    assert "赵干事" in incident.severity_rule and "联名投诉" in incident.severity_rule
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1


def test_c09_a_cooler_snapshot_does_not_lower_the_severity(org):
    incident = classify(org, reported(org), severity=G)
    metrics(org, incident, clicks=3200)
    incident = metrics(org, incident, stage=Stage.PERSISTENT, clicks=200)
    assert incident.severity == E


def test_c09_general_incident_whose_metrics_rise_turns_major_on_its_own_saying_why(org):
    incident = classify(org, reported(org), severity=G)
    incident = metrics(org, incident, clicks=1500)
    assert incident.severity == M
    raised = incident.timeline.get(event=Event.SEVERITY_UPGRADED)
    assert raised.actor is None and raised.actor_name == "系统"
    assert "点击量 1500 ≥ 1000" in raised.note
    assert raised.data["by_rule"] is True


def test_c09_the_major_procedure_starts_once_however_many_snapshots_arrive(org):
    incident = classify(org, reported(org), severity=G)
    for clicks in (1200, 1800, 2500, 4000, 9000):
        incident = metrics(org, incident, clicks=clicks)
    assert incident.severity == E
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1
    assert incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).count() == 1
    assert incident.timeline.filter(event=Event.SEVERITY_UPGRADED).count() == 2  # to M, to E


def test_c09_a_spreading_mark_upgrades_a_general_incident_to_major(org):
    incident = classify(org, reported(org), severity=G)
    incident = actions.mark_spreading(incident, org.staff.user, reason="多个微信群转发，难以化解")
    assert incident.severity == M
    assert incident.timeline.filter(event=Event.SPREADING_MARKED).count() == 1
    assert incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).count() == 1
    with pytest.raises(InvalidInput) as refused:
        actions.mark_spreading(incident, org.staff.user, reason="再次标记")
    assert "severity" in refused.value.errors


def test_c11_a_general_classification_opens_the_2_hour_forwarding(org):
    incident = classify(org, reported(org), severity=G)
    forward = incident.deadlines.get(kind=DeadlineKind.REFERRAL_FORWARD)
    assert forward.due_at == T0 + timedelta(hours=2)
    assert forward.clause == "C11" and forward.owed_by_unit == org.office


def test_c07_a_stage_going_back_needs_a_reason(org):
    incident = classify(org, reported(org), severity=G)
    metrics(org, incident, stage=Stage.ENDING, clicks=10)
    with pytest.raises(InvalidInput) as refused:
        metrics(org, incident, stage=Stage.OUTBREAK, clicks=400)
    assert "stage_reason" in refused.value.errors
    assert incident.metrics.count() == 1
    incident = actions.record_metrics(incident, org.staff.user, heat=Heat(clicks=400),
                                      stage=Stage.OUTBREAK, stage_reason="反弹：新视频流出")
    assert incident.stage == Stage.OUTBREAK
    assert "反弹" in incident.timeline.filter(event=Event.METRICS_RECORDED).last().note


# ------------------------------------------------------------------------- through the API

def post_metrics(person, incident, **data):
    client = APIClient()
    client.force_authenticate(person.user)
    return client.post(f"/api/v1/incidents/{incident.pk}/metrics/", data, format="json")


def test_c07_heat_index_and_topics_are_entered_through_the_api(org):
    incident = classify(org, reported(org), severity=G)
    response = post_metrics(org.staff, incident, clicks=20, comments=3, heat_index="78.50",
                            topics=["food"], stage=Stage.OUTBREAK)
    assert response.status_code == 200, response.data
    snapshot = MetricSnapshot.objects.get(incident=incident)
    assert str(snapshot.heat_index) == "78.50" and snapshot.topics == ["food"]
    assert response.data["severity"] == E


@pytest.mark.parametrize("data,field", [
    ({"clicks": -1, "stage": "outbreak"}, "clicks"),
    ({"comments": -5, "stage": "outbreak"}, "comments"),
    ({"clicks": 10**12, "stage": "outbreak"}, "clicks"),
    ({"mainstream_sites": 10**7, "stage": "outbreak"}, "mainstream_sites"),
    ({"heat_index": "-3", "stage": "outbreak"}, "heat_index"),
    ({"clicks": 5, "stage": "viral"}, "stage"),
    ({"clicks": 5, "stage": "outbreak", "topics": ["astrology"]}, "topics"),
    ({"clicks": 5, "stage": "outbreak", "occurred_at": "2026-11-23T12:00:00+08:00"},
     "occurred_at"),
])
def test_c07_bad_metrics_are_refused_400_naming_the_field_and_nothing_is_stored(org, data,
                                                                                field):
    incident = classify(org, reported(org), severity=G)
    entries = incident.timeline.count()
    response = post_metrics(org.staff, incident, **data)
    assert response.status_code == 400
    assert field in response.data
    assert not MetricSnapshot.objects.filter(incident=incident).exists()
    assert incident.timeline.count() == entries
    incident.refresh_from_db()
    assert incident.severity == G and incident.state == State.CLASSIFIED
