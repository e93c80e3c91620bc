"""Every verb through the API by a user whose role allows it, and the refusals: wrong state,
wrong role, bad payload, stale revision. A refused verb leaves no trace."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_fsm import ConcurrentTransition
from rest_framework.test import APIClient

from incidents import actions
from opinion_ops.api import exception_handler
from incidents.models import (Channel, Deadline, Event, Incident, MetricSnapshot, Severity, Stage,
    State)
from plans.models import DeadlineKind
from tests.factories import incident_kwargs
from tests.support.responding import answer_approved
from tests.support.reviewing import review_recorded

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
STEP = actions.Step(channel=Channel.WRITTEN, recipient="领导小组", note="按预案办理")


@pytest.fixture(autouse=True)
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def client_for(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def post(person, incident, verb, data=None, **headers):
    return client_for(person).post(f"/api/v1/incidents/{incident.pk}/{verb}/", data or {},
                                   format="json", **headers)


def through(org, target, **overrides) -> Incident:
    """An incident brought to `target` through the action path."""
    incident = actions.detect_incident(
        org.duty.user, **incident_kwargs(discovered_at=T0 - timedelta(minutes=10), **overrides))
    if target == State.DETECTED:
        return incident
    if target == State.DISMISSED:
        return actions.dismiss_incident(incident, org.staff.user, actions.Step(note="非舆情"))
    incident = actions.report_incident(incident, org.duty.user, actions.Step(
        channel=Channel.PHONE, recipient="舆情办 赵干事"))
    if target == State.REPORTED:
        return incident
    incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                         severity=Severity.GENERAL)
    if target == State.CLASSIFIED:
        return incident
    answer_approved(org, incident)
    incident = actions.respond_incident(incident, org.staff.user, STEP, response="已答复网民")
    if target == State.RESPONDED:
        return incident
    incident = actions.file_summary(incident, org.staff.user, STEP)
    review_recorded(org, incident)
    return actions.review_incident(incident, org.leader.user, STEP, findings="按时报告")


def deadline(incident, kind, sequence=1) -> Deadline:
    return Deadline.objects.get(incident=incident, kind=kind, sequence=sequence)


def entries(body, event) -> list[dict]:
    return [entry for entry in body["timeline"] if entry["event"] == event]


# The transitions


def test_c01_report_via_api_meets_report_deadline(org):
    incident = through(org, State.DETECTED)

    response = post(org.duty, incident, "report",
                    {"channel": "phone", "recipient": "舆情办 赵干事", "note": "电话报告",
                     "occurred_at": "2026-11-23T09:55:00+08:00"})

    assert response.status_code == 200, response.data
    body = response.data
    assert body["state"] == State.REPORTED and body["revision"] == 2
    [report] = [d for d in body["deadlines"] if d["kind"] == "report"]
    assert report["state"] == "met" and report["met_at"] == "2026-11-23T09:55:00+08:00"
    assert report["minutes_late"] == -115 and report["overdue"] is False
    [entry] = entries(body, Event.REPORTED)
    assert (entry["from_state"], entry["to_state"]) == ("detected", "reported")
    assert entry["channel"] == "phone" and entry["recipient"] == "舆情办 赵干事"
    assert entry["actor_name"] == "李值班" and entry["clause"] == "C01"
    assert entry["occurred_at"] == "2026-11-23T09:55:00+08:00"
    assert response["ETag"] == '"2"'


def test_c08_classify_via_api_decides_severity_from_heat_and_starts_major_procedure(org):
    incident = through(org, State.REPORTED)

    response = post(org.staff, incident, "classify",
                    {"category": "hype", "clicks": 3200, "comments": 40, "stage": "outbreak",
                     "note": "转发量激增"})

    assert response.status_code == 200, response.data
    body = response.data
    assert body["state"] == State.CLASSIFIED
    assert body["category"] == "hype" and body["severity"] == Severity.ESPECIALLY_MAJOR
    assert body["stage"] == Stage.OUTBREAK
    kinds = {d["kind"] for d in body["deadlines"]}
    assert {"superior_report", "follow_up"} <= kinds  # C04, C05, C14
    assert body["metrics"][0]["clicks"] == 3200


def test_c16_respond_via_api_ends_follow_ups_and_opens_the_summary(org):
    incident = through(org, State.CLASSIFIED)
    answer_approved(org, incident)

    response = post(org.spokesperson, incident, "respond",
                    {"response": "学校已约谈食堂承包方并公开检查结果", "channel": "written"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.RESPONDED
    assert response.data["stage"] == Stage.ENDING
    [summary] = [d for d in response.data["deadlines"] if d["kind"] == "summary"]
    assert summary["clause"] == "C19" and summary["state"] == "pending"
    [entry] = entries(response.data, Event.RESPONDED)
    assert entry["data"] == {"response": "学校已约谈食堂承包方并公开检查结果"}
    assert entry["actor_name"] == "孙发言"


def test_c19_summary_via_api_meets_the_summary_deadline(org):
    incident = through(org, State.RESPONDED)

    response = post(org.staff, incident, "summary", {"recipient": "领导小组"})

    assert response.status_code == 200, response.data
    [summary] = [d for d in response.data["deadlines"] if d["kind"] == "summary"]
    assert summary["state"] == "met" and summary["clause"] == "C19"


def test_c20_review_via_api_is_refused_while_the_summary_is_outstanding(org):
    incident = through(org, State.RESPONDED)

    response = post(org.leader, incident, "review", {"findings": "结论"})

    assert response.status_code == 409
    assert "书面总结" in response.data["detail"]


def test_c20_review_via_api_records_the_findings(org):
    incident = through(org, State.RESPONDED)
    incident = actions.file_summary(incident, org.staff.user, STEP)
    review_recorded(org, incident)

    response = post(org.leader, incident, "review", {"findings": "发现后 10 分钟内电话报告"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.REVIEWED
    assert response.data["available_transitions"] == []
    [entry] = entries(response.data, Event.REVIEWED)
    assert entry["clause"] == "C20" and entry["data"]["findings"] == "发现后 10 分钟内电话报告"


def test_dismiss_via_api_ends_the_obligations(org):
    incident = through(org, State.DETECTED)

    response = post(org.staff, incident, "dismiss", {"note": "经核实为广告帖，非舆情"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.DISMISSED
    assert {d["state"] for d in response.data["deadlines"]} == {"cancelled"}


def test_merge_via_api_continues_the_record_on_the_original(org):
    original = through(org, State.DETECTED, title="原始事件")
    duplicate = through(org, State.DETECTED, title="重复上报")

    response = post(org.staff, duplicate, "merge", {"into": original.pk, "note": "同一帖文"})

    assert response.status_code == 200, response.data
    assert response.data["state"] == State.MERGED
    assert response.data["merged_into"] == original.pk
    assert original.timeline.filter(event=Event.NOTE, data__merged=duplicate.pk).exists()


# The steps that are not transitions


def test_c02_verbal_then_written_report_via_api_meets_both_deadlines(org, at_t0):
    incident = through(org, State.DETECTED, urgent=True)

    verbal = post(org.duty, incident, "verbal-report",
                  {"recipient": "舆情办主任", "note": "电话汇报帖文内容与转发情况"})
    at_t0.shift(timedelta(minutes=40))
    written = post(org.duty, incident, "written-report", {"recipient": "舆情办",
                                                          "note": "书面报告已报送"})

    assert verbal.status_code == 200 and written.status_code == 200, written.data
    assert deadline(incident, DeadlineKind.VERBAL_REPORT).state == Deadline.State.MET
    assert deadline(incident, DeadlineKind.WRITTEN_REPORT).state == Deadline.State.MET
    [entry] = entries(written.data, Event.VERBAL_REPORT)
    assert entry["channel"] == "phone" and entry["recipient"] == "舆情办主任"
    assert entries(written.data, Event.WRITTEN_REPORT)[0]["channel"] == "written"
    assert written.data["state"] == State.DETECTED  # steps are not transitions
    assert written.data["revision"] == 3


def test_c05_follow_up_via_api_sets_the_next_one_due(org):
    incident = through(org, State.CLASSIFIED)
    actions.upgrade_severity(incident, org.staff.user, severity=Severity.MAJOR, reason="扩散")

    response = post(org.duty, incident, "follow-up", {"note": "第一次续报：转发量回落"})

    assert response.status_code == 200, response.data
    follow_ups = [d for d in response.data["deadlines"] if d["kind"] == "follow_up"]
    assert [(d["sequence"], d["state"]) for d in follow_ups] == [(1, "met"), (2, "pending")]
    assert entries(response.data, Event.FOLLOW_UP_REPORT)[0]["data"] == {"number": 1}


def test_c04_superior_report_via_api_meets_the_dual_report(org):
    incident = through(org, State.CLASSIFIED)
    actions.upgrade_severity(incident, org.staff.user, severity=Severity.MAJOR, reason="扩散")

    response = post(org.staff, incident, "superior-report", {"recipient": "市教育局"})

    assert response.status_code == 200, response.data
    assert deadline(incident, DeadlineKind.SUPERIOR_REPORT).state == Deadline.State.MET
    assert entries(response.data, Event.SUPERIOR_REPORT)[0]["recipient"] == "市教育局"


def test_c09_upgrade_via_api_starts_the_major_procedure(org):
    incident = through(org, State.CLASSIFIED)

    response = post(org.leader, incident, "upgrade",
                    {"severity": "major", "reason": "多家媒体转载，呈扩散态势", "urgent": True})

    assert response.status_code == 200, response.data
    assert response.data["severity"] == Severity.MAJOR and response.data["urgent"] is True
    assert {"superior_report", "follow_up"} <= {d["kind"] for d in response.data["deadlines"]}
    [entry] = entries(response.data, Event.SEVERITY_UPGRADED)
    assert entry["clause"] == "C09" and entry["data"]["from"] == "general"


def test_c07_metrics_via_api_snapshot_and_threshold_upgrade(org):
    incident = through(org, State.CLASSIFIED)

    response = post(org.handler, incident, "metrics",
                    {"clicks": 1200, "comments": 30, "follow_up_posts": 85, "mainstream_sites": 0,
                     "stage": "outbreak", "cause": "食堂饭菜质量", "attention": "食品安全"})

    assert response.status_code == 200, response.data
    snapshot = MetricSnapshot.objects.get(incident=incident)
    assert (snapshot.clicks, snapshot.follow_up_posts, snapshot.cause) == (1200, 85, "食堂饭菜质量")
    assert response.data["metrics"][0]["follow_up_posts"] == 85
    assert response.data["severity"] == Severity.MAJOR  # clicks ≥ 1000 (C08 → C09)
    assert entries(response.data, Event.SEVERITY_UPGRADED)


def test_c23_reassign_via_api_records_old_and_new_owner(org):
    incident = through(org, State.REPORTED)

    response = post(org.leader, incident, "reassign",
                    {"owner_unit": org.department.pk, "reason": "涉及教学管理，由教务处牵头"})

    assert response.status_code == 200, response.data
    assert response.data["owner_unit"]["id"] == org.department.pk
    [entry] = entries(response.data, Event.OWNER_CHANGED)
    assert entry["data"] == {"from": "舆情办", "to": "教务处"} and entry["clause"] == "C23"


# Revisions


def test_expected_revision_in_body_or_if_match_header(org):
    first, second = through(org, State.DETECTED), through(org, State.DETECTED)

    by_body = post(org.duty, first, "report", {"channel": "phone", "recipient": "舆情办",
                                               "expected_revision": 1})
    by_header = post(org.duty, second, "report", {"channel": "phone", "recipient": "舆情办"},
                     HTTP_IF_MATCH='"1"')

    assert by_body.status_code == 200 and by_header.status_code == 200
    assert by_header["ETag"] == '"2"'


def test_c24_stale_if_match_is_refused_and_leaves_no_trace(org):
    incident = through(org, State.REPORTED)  # revision 2
    timeline_before = incident.timeline.count()

    response = post(org.staff, incident, "classify", {"category": "inquiry",
                                                      "severity": "general"},
                    HTTP_IF_MATCH='"1"')

    assert response.status_code == 409
    assert response.data["code"] == "stale_revision"
    assert response.data["expected_revision"] == 1 and response.data["current_revision"] == 2
    incident.refresh_from_db()
    assert incident.state == State.REPORTED and incident.revision == 2
    assert incident.timeline.count() == timeline_before


def test_if_match_and_body_revision_must_agree(org):
    incident = through(org, State.DETECTED)

    response = post(org.duty, incident, "report",
                    {"channel": "phone", "recipient": "舆情办", "expected_revision": 1},
                    HTTP_IF_MATCH='"2"')

    assert response.status_code == 400 and "expected_revision" in response.data


def test_concurrent_transition_is_answered_409():
    response = exception_handler(ConcurrentTransition("state changed"), {})

    assert response.status_code == 409 and response.data["code"] == "concurrent_transition"


# The refusals, as a table

REPORT = {"channel": "phone", "recipient": "舆情办"}
CLASSIFY = {"category": "inquiry", "severity": "general"}
RESPOND = {"response": "已答复"}
REVIEW = {"findings": "按时报告"}
DISMISS = {"note": "非舆情"}

FORBIDDEN = [
    # (id, state, verb, role, payload, status, fields named in a 400)
    ("classify-before-report", State.DETECTED, "classify", "staff", CLASSIFY, 409, None),
    ("respond-before-classify", State.REPORTED, "respond", "staff", RESPOND, 409, None),
    ("review-before-respond", State.CLASSIFIED, "review", "leader", REVIEW, 409, None),
    ("report-twice", State.REPORTED, "report", "duty", REPORT, 409, None),
    ("dismiss-after-review", State.REVIEWED, "dismiss", "staff", DISMISS, 409, None),
    ("merge-after-respond", State.RESPONDED, "merge", "staff", "into-other", 409, None),
    ("verbal-report-when-dismissed", State.DISMISSED, "verbal-report", "duty",
     {"recipient": "舆情办", "note": "电话"}, 409, None),
    ("upgrade-when-reviewed", State.REVIEWED, "upgrade", "staff",
     {"severity": "major", "reason": "扩散"}, 409, None),
    ("auditor-reports", State.DETECTED, "report", "auditor", REPORT, 403, None),
    ("duty-classifies", State.REPORTED, "classify", "duty", CLASSIFY, 403, None),
    ("auditor-responds", State.CLASSIFIED, "respond", "auditor", RESPOND, 403, None),
    ("duty-reviews", State.RESPONDED, "review", "duty", REVIEW, 403, None),
    ("duty-dismisses", State.DETECTED, "dismiss", "duty", DISMISS, 403, None),
    ("spokesperson-merges", State.DETECTED, "merge", "spokesperson", "into-other", 403, None),
    ("auditor-records-metrics", State.CLASSIFIED, "metrics", "auditor", {"stage": "latent"},
     403, None),
    ("duty-reassigns", State.REPORTED, "reassign", "duty",
     {"owner_unit": 1, "reason": "x"}, 403, None),
    ("report-without-channel-or-recipient", State.DETECTED, "report", "duty", {}, 400,
     {"channel", "recipient"}),
    ("report-naive-time", State.DETECTED, "report", "duty",
     {**REPORT, "occurred_at": "2026-11-23T09:55:00"}, 400, {"occurred_at"}),
    ("report-in-the-future", State.DETECTED, "report", "duty",
     {**REPORT, "occurred_at": "2026-11-23T11:00:00+08:00"}, 400, {"occurred_at"}),
    ("classify-bad-category-no-severity", State.REPORTED, "classify", "staff",
     {"category": "gossip", "clicks": -1}, 400, {"category", "clicks"}),
    ("classify-without-severity-or-heat", State.REPORTED, "classify", "staff",
     {"category": "gossip"}, 400, {"category", "severity"}),
    ("respond-without-response", State.CLASSIFIED, "respond", "staff", {"channel": "fax"},
     400, {"response", "channel"}),
    ("dismiss-without-reason", State.DETECTED, "dismiss", "staff", {}, 400, {"note"}),
    ("merge-into-missing", State.DETECTED, "merge", "staff", {"into": 999999}, 400, {"into"}),
    ("merge-into-itself", State.DETECTED, "merge", "staff", "into-self", 400, {"into"}),
    ("verbal-report-empty", State.DETECTED, "verbal-report", "duty", {}, 400,
     {"recipient", "note"}),
    ("upgrade-not-higher", State.CLASSIFIED, "upgrade", "staff",
     {"severity": "general", "reason": "x"}, 400, {"severity"}),
    ("upgrade-empty", State.CLASSIFIED, "upgrade", "staff", {"severity": "huge"}, 400,
     {"severity", "reason"}),
    ("metrics-bad", State.CLASSIFIED, "metrics", "duty", {"clicks": "many"}, 400,
     {"clicks", "stage"}),
    ("reassign-to-nobody", State.REPORTED, "reassign", "staff", {}, 400,
     {"owner_unit", "accountable_leader", "reason"}),
    ("reassign-to-same-owner", State.REPORTED, "reassign", "staff", "same-owner", 400,
     {"owner_unit"}),
    ("stale-revision", State.DETECTED, "report", "duty", {**REPORT, "expected_revision": 7},
     409, None),
]


def _payload(org, incident, payload):
    if payload == "into-other":
        return {"into": through(org, State.DETECTED, title="另一事件").pk}
    if payload == "into-self":
        return {"into": incident.pk}
    if payload == "same-owner":
        return {"owner_unit": incident.owner_unit_id, "reason": "重复指定"}
    return payload


@pytest.mark.parametrize("state,verb,role,payload,status,fields",
                         [case[1:] for case in FORBIDDEN], ids=[case[0] for case in FORBIDDEN])
def test_c24_refused_verb_changes_nothing(org, state, verb, role, payload, status, fields):
    incident = through(org, state)
    before = Incident.objects.get(pk=incident.pk)
    timeline_before = list(incident.timeline.values_list("id", flat=True))
    deadlines_before = list(Deadline.objects.filter(incident=incident).values())

    response = post(getattr(org, role), incident, verb, _payload(org, incident, payload))

    assert response.status_code == status, response.data
    if status == 409 and "expected_revision" not in payload:
        assert response.data["state"] == state
        assert f"（{state}）" in response.data["detail"]  # the message names the state
    if status == 409 and "expected_revision" in payload:
        assert response.data["current_revision"] == before.revision
    if status == 403:
        assert "detail" in response.data
    if status == 400:
        assert set(response.data) == fields
    after = Incident.objects.get(pk=incident.pk)
    assert (after.state, after.revision, after.severity, after.owner_unit_id) == (
        before.state, before.revision, before.severity, before.owner_unit_id)
    assert list(incident.timeline.values_list("id", flat=True)) == timeline_before
    assert list(Deadline.objects.filter(incident=incident).values()) == deadlines_before
