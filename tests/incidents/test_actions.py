"""The action path: every transition, the forbidden ones, and what each writes."""
import pytest
from django.contrib.auth.models import AnonymousUser

from incidents import actions
from opinion_ops.errors import InvalidInput, NotPermitted, StaleRevision, TransitionNotAllowed
from incidents.models import Channel, Event, Incident, State
from tests.incidents.helpers import classify, detect, report
from tests.support.responding import answer_approved
from tests.support.reviewing import review_recorded

pytestmark = pytest.mark.django_db

STEP = actions.Step(channel=Channel.WRITTEN, recipient="领导小组", note="按预案办理")


def _through(org, target):
    """An incident brought to `target` through the action path."""
    incident = detect(org)
    if target == State.DETECTED:
        return incident
    incident = report(org, incident)
    if target == State.REPORTED:
        return incident
    incident = classify(org, incident)
    if target == State.CLASSIFIED:
        return incident
    answer_approved(org, incident)
    incident = actions.respond_incident(incident, org.staff.user, STEP, response="已答复")
    if target == State.RESPONDED:
        return incident
    incident = actions.file_summary(incident, org.staff.user, STEP)
    review_recorded(org, incident)
    return actions.review_incident(incident, org.leader.user, STEP, findings="按时报告")


def test_c24_every_allowed_transition_is_on_the_timeline_with_who_when_how(org):
    incident = _through(org, State.REVIEWED)
    entries = list(incident.timeline.exclude(from_state="").order_by("id"))
    assert [(e.from_state, e.to_state) for e in entries] == [
        ("detected", "reported"), ("reported", "classified"), ("classified", "responded"),
        ("responded", "reviewed")]
    assert [e.actor_name for e in entries] == ["李值班", "赵干事", "赵干事", "王组长"]
    assert entries[0].channel == Channel.PHONE and entries[0].recipient == "舆情办 赵干事"
    assert all(e.recorded_at is not None for e in entries)
    assert incident.timeline.filter(event=Event.DETECTED).count() == 1
    # five steps, the written summary, and the unified reply drafted and approved (C10a)
    assert incident.revision == 8


@pytest.mark.parametrize("source", [State.DETECTED, State.REPORTED, State.CLASSIFIED])
def test_dismiss_from_each_open_state(org, source):
    incident = _through(org, source)
    done = actions.dismiss_incident(incident, org.staff.user,
                                    actions.Step(note="经核实非舆情事件"))
    assert done.state == State.DISMISSED
    assert done.timeline.filter(event=Event.DISMISSED, from_state=source).count() == 1


def test_merge_duplicate_into_open_incident(org):
    target = detect(org, title="原始事件")
    duplicate = detect(org, title="重复上报")
    merged = actions.merge_incident(duplicate, org.staff.user, actions.Step(note="同一帖文"),
                                    into=target)
    assert merged.state == State.MERGED and merged.merged_into == target
    assert target.timeline.filter(event=Event.NOTE, data__merged=duplicate.pk).exists()


FORBIDDEN = [
    # (state the incident is in, verb, role attribute, expected error, words in message: the
    # state's code, or the verb's label in the plain language of the page)
    (State.DETECTED, "classify", "staff", TransitionNotAllowed, "detected"),
    (State.DETECTED, "respond", "staff", TransitionNotAllowed, "detected"),
    (State.DETECTED, "review", "leader", TransitionNotAllowed, "detected"),
    (State.REPORTED, "report", "duty", TransitionNotAllowed, "reported"),
    (State.REPORTED, "respond", "staff", TransitionNotAllowed, "reported"),
    (State.CLASSIFIED, "review", "leader", TransitionNotAllowed, "classified"),
    (State.REVIEWED, "dismiss", "staff", TransitionNotAllowed, "reviewed"),
    (State.RESPONDED, "merge", "staff", TransitionNotAllowed, "responded"),
    (State.DETECTED, "report", "auditor", NotPermitted, "向舆情办报告"),
    (State.REPORTED, "classify", "duty", NotPermitted, "研判定级"),
    (State.CLASSIFIED, "respond", "auditor", NotPermitted, "登记处置回应"),
    (State.RESPONDED, "review", "duty", NotPermitted, "复盘评估"),
    (State.DETECTED, "dismiss", "duty", NotPermitted, "排除"),
]


def _call(verb, incident, actor, other):
    if verb == "report":
        return actions.report_incident(incident, actor, STEP)
    if verb == "classify":
        return actions.classify_incident(incident, actor, category="inquiry", severity="general")
    if verb == "respond":
        return actions.respond_incident(incident, actor, STEP, response="答复")
    if verb == "review":
        return actions.review_incident(incident, actor, STEP, findings="结论")
    if verb == "dismiss":
        return actions.dismiss_incident(incident, actor, actions.Step(note="理由"))
    if verb == "merge":
        return actions.merge_incident(incident, actor, STEP, into=other)
    raise AssertionError(verb)


@pytest.mark.parametrize("state,verb,role,error,words", FORBIDDEN)
def test_forbidden_transition_changes_nothing(org, state, verb, role, error, words):
    incident = _through(org, state)
    other = detect(org, title="另一事件")
    before = (incident.state, incident.revision, incident.timeline.count(),
              incident.deadlines.count())
    with pytest.raises(error) as raised:
        _call(verb, incident, getattr(org, role).user, other)
    assert words in str(raised.value)
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.state, incident.revision, incident.timeline.count(),
            incident.deadlines.count()) == before


def test_stale_revision_is_refused(org):
    incident = detect(org)
    with pytest.raises(StaleRevision):
        actions.report_incident(incident, org.duty.user, STEP, expected_revision=99)
    assert Incident.objects.get(pk=incident.pk).state == State.DETECTED


def test_report_needs_a_recipient(org):
    incident = detect(org)
    entries = incident.timeline.count()
    with pytest.raises(InvalidInput) as raised:
        actions.report_incident(incident, org.duty.user, actions.Step(channel=Channel.PHONE))
    assert "recipient" in raised.value.errors
    assert incident.timeline.count() == entries


def test_c21_stated_time_cannot_be_in_the_future_or_before_discovery(org):
    from datetime import timedelta

    from django.utils import timezone

    incident = detect(org)
    for when in (timezone.now() + timedelta(minutes=5),
                 incident.discovered_at - timedelta(minutes=5)):
        with pytest.raises(InvalidInput) as raised:
            actions.report_incident(incident, org.duty.user, actions.Step(
                channel=Channel.PHONE, recipient="舆情办", occurred_at=when))
        assert "occurred_at" in raised.value.errors
    assert Incident.objects.get(pk=incident.pk).state == State.DETECTED


def test_c08_classification_by_heat_takes_the_highest_level_any_rule_reaches(org):
    from incidents.classification import Heat

    incident = report(org, detect(org))
    incident = actions.classify_incident(
        incident, org.staff.user, category="hype",
        heat=Heat(clicks=1200, comments=20, mainstream_sites=5))
    assert incident.severity == "especially_major"
    assert "主流网站转载数 5 ≥ 5" in incident.severity_rule
    assert incident.metrics.count() == 1


def test_c08_stated_severity_cannot_lower_what_the_thresholds_say(org):
    from incidents.classification import Heat

    incident = report(org, detect(org))
    incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                         severity="general", heat=Heat(comments=150))
    assert incident.severity == "major"


def test_c09_metrics_crossing_threshold_upgrade_general_incident(org):
    from incidents.classification import Heat

    incident = classify(org, report(org, detect(org)))
    assert incident.severity == "general"
    incident = actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=3500),
                                      stage="outbreak", cause="转发激增")
    assert incident.severity == "especially_major"
    assert incident.timeline.filter(event=Event.SEVERITY_UPGRADED, clause="C09").count() == 1
    assert incident.deadlines.filter(kind="superior_report").count() == 1


def test_c23_owner_unit_and_leader_changes_are_on_the_timeline(org):
    incident = detect(org)
    assert incident.owner_unit == org.office and incident.accountable_leader == org.leader
    changed = actions.change_owner(incident, org.staff.user, unit=org.department,
                                   leader=org.leader, reason="属教务处职责")
    assert changed.owner_unit == org.department
    [entry] = changed.timeline.filter(event=Event.OWNER_CHANGED)
    assert entry.clause == "C23" and entry.data == {"from": "舆情办", "to": "教务处"}
    assert not changed.timeline.filter(event=Event.LEADER_CHANGED).exists()


def test_c23_reassign_requires_the_role(org):
    incident = detect(org)
    with pytest.raises(NotPermitted):
        actions.change_owner(incident, org.duty.user, unit=org.department, reason="x")


def test_anonymous_user_cannot_act(org):
    incident = detect(org)
    with pytest.raises(NotPermitted):
        actions.report_incident(incident, AnonymousUser(), STEP)


def test_c07_spread_is_recorded_as_snapshots_over_time_with_stage(org):
    from incidents.classification import Heat

    incident = classify(org, report(org, detect(org)), severity="general")
    actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=200, comments=10),
                           stage="outbreak", cause="家长转发", attention="食品安全")
    incident = actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=400),
                                      stage="persistent")
    stages = list(incident.metrics.order_by("recorded_at").values_list("stage", "clicks"))
    assert stages == [("outbreak", 200), ("persistent", 400)]
    assert incident.stage == "persistent" and incident.severity == "general"
    assert incident.timeline.filter(event=Event.METRICS_RECORDED, clause="C07").count() == 2


@pytest.mark.parametrize("category", ["inquiry", "hype", "fabrication", "constructive"])
def test_c10_each_content_category_is_recorded_at_classification(org, category):
    incident = classify(org, report(org, detect(org)), category=category)
    assert incident.category == category
    [entry] = incident.timeline.filter(event=Event.CLASSIFIED)
    assert entry.data["category"] == category


def test_c20_review_waits_for_the_written_summary(org):
    incident = _through(org, State.RESPONDED)
    with pytest.raises(TransitionNotAllowed) as refused:
        actions.review_incident(incident, org.leader.user, STEP, findings="结论")
    assert "书面总结（C19）" in str(refused.value)
    assert Incident.objects.get(pk=incident.pk).state == State.RESPONDED


def test_c20_review_records_its_findings_and_closes_the_incident(org):
    incident = _through(org, State.RESPONDED)
    incident = actions.file_summary(incident, org.staff.user, STEP)
    review_recorded(org, incident)
    reviewed = actions.review_incident(incident, org.leader.user, STEP,
                                       findings="报告及时；续报间隔偏长，已修订预案")
    [entry] = reviewed.timeline.filter(event=Event.REVIEWED)
    assert entry.clause == "C20" and "续报间隔偏长" in entry.data["findings"]
    assert not reviewed.is_open
