"""C10a, C16: who approves which kind of response at which severity, as the plan says; nobody
approves what they wrote; a new version starts its approvals over."""
import pytest

from incidents.models import Deadline, Event
from plans.choices import ApproverAudience, DeadlineKind
from plans.models import ApprovalRule
from plans.versions import revise_plan
from responses import actions
from responses.models import ResponseDraft
from tests.responses.helpers import client_for, drafted, incident_at

pytestmark = pytest.mark.django_db


def approve(person, draft, **body):
    return client_for(person).post(f"/api/v1/drafts/{draft.pk}/approve/", body, format="json")


def test_c16_press_release_on_major_incident_needs_leadership_approval(office, clock):
    incident = incident_at(office, "major")
    created = client_for(office.handler).post(
        f"/api/v1/incidents/{incident.pk}/drafts/",
        {"kind": "press_release", "body": "关于网传某校食堂饭菜变质的情况通报"}, format="json")
    assert created.status_code == 201, created.data
    assert (created.data["version"], created.data["state"]) == (1, "pending")
    draft = ResponseDraft.objects.get(pk=created.data["id"])

    by_head = approve(office.head, draft, comment="同意")
    assert by_head.status_code == 403
    assert "领导小组成员" in by_head.data["detail"]

    by_leader = approve(office.leader, draft, comment="同意发布")
    assert by_leader.status_code == 200, by_leader.data
    assert by_leader.data["state"] == "approved"
    decision = by_leader.data["versions"][0]["decisions"][0]
    assert (decision["approver"], decision["comment"]) == ("王组长", "同意发布")
    entry = incident.timeline.get(event=Event.RESPONSE_APPROVED)
    assert entry.actor_name == "王组长" and entry.clause == "C16"
    window = Deadline.objects.get(incident=incident, kind=DeadlineKind.RESPONSE_APPROVAL)
    assert window.state == Deadline.State.MET and window.met_by == office.leader.user


def test_c10a_unified_reply_on_general_incident_is_approved_by_the_department_head(office, clock):
    incident = incident_at(office, "general")
    draft = drafted(office, incident, kind="unified_reply", body="经核查，食堂饭菜符合标准。")

    assert approve(office.leader, draft).status_code == 403  # the plan names the head here
    answer = approve(office.head, draft, comment="同意答复")

    assert answer.status_code == 200, answer.data
    assert answer.data["state"] == "approved"


def test_c10a_unified_reply_on_major_incident_goes_to_the_leadership_group(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident, kind="unified_reply", body="经核查，食堂饭菜符合标准。")

    assert approve(office.head, draft).status_code == 403
    assert approve(office.leader, draft).status_code == 200


@pytest.mark.parametrize("kind", ["reply", "unified_reply", "press_release", "statement",
                                  "post", "talking_points"])
def test_c16_nobody_approves_a_draft_they_wrote(office, clock, kind):
    incident = incident_at(office, "major")
    draft = drafted(office, incident, kind=kind, body="领导小组起草的口径", by=office.leader)

    answer = approve(office.leader, draft)

    assert answer.status_code == 403
    assert "本人" in answer.data["detail"]
    assert ResponseDraft.objects.get(pk=draft.pk).state == ResponseDraft.State.PENDING


def test_c16_nobody_approves_a_draft_they_revised(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    actions.revise_draft(draft, office.deputy.user, body="副组长改写的通稿")

    assert approve(office.deputy, draft).status_code == 403
    assert approve(office.leader, draft).status_code == 200


def test_c16_a_new_version_resets_approvals(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    assert approve(office.leader, draft).data["state"] == "approved"

    revised = client_for(office.handler).post(f"/api/v1/drafts/{draft.pk}/revise/",
                                              {"body": "关于食堂饭菜问题的情况通报（修改稿）"},
                                              format="json")

    assert revised.status_code == 200, revised.data
    assert (revised.data["version"], revised.data["state"]) == (2, "pending")
    assert revised.data["versions"][1]["decisions"] == []
    assert any(run["op"] == "insert" and "修改稿" in run["text"] for run in revised.data["diff"])
    windows = Deadline.objects.filter(incident=incident, kind=DeadlineKind.RESPONSE_APPROVAL)
    assert sorted(w.state for w in windows) == [Deadline.State.MET, Deadline.State.PENDING]


def test_c16_especially_major_press_release_needs_every_leadership_member(office, clock):
    incident = incident_at(office, "especially_major")
    draft = drafted(office, incident)

    first = approve(office.leader, draft)
    assert first.data["state"] == "pending"
    actions.revise_draft(draft, office.handler.user, body="修改后的通稿")
    # The first approval was of version 1: version 2 needs both again.
    assert approve(office.deputy, draft).data["state"] == "pending"
    assert approve(office.leader, draft).data["state"] == "approved"


def test_c16_approving_a_superseded_version_is_refused(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    actions.revise_draft(draft, office.handler.user, body="第二版")

    answer = approve(office.leader, draft, version=1)

    assert answer.status_code == 409
    assert "取代" in answer.data["detail"]


def test_c16_a_rejection_needs_a_comment_and_sends_the_draft_back(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    url = f"/api/v1/drafts/{draft.pk}/reject/"

    assert client_for(office.leader).post(url, {}, format="json").data.keys() == {"comment"}
    answer = client_for(office.leader).post(url, {"comment": "口径不统一"}, format="json")

    assert answer.status_code == 200 and answer.data["state"] == "rejected"
    assert incident.timeline.get(event=Event.RESPONSE_REJECTED).note.endswith("口径不统一")
    assert approve(office.deputy, draft).status_code == 409


def test_c16_who_approves_is_plan_data(office, clock):
    incident = incident_at(office, "general")
    rule = incident.plan.approval_rules.get(kind="unified_reply", from_severity="general")
    ApprovalRule.objects.filter(pk=rule.pk).update(audience=ApproverAudience.ACCOUNTABLE_LEADER)
    draft = drafted(office, incident, kind="unified_reply", body="统一答复")

    assert approve(office.head, draft).status_code == 403
    assert approve(office.leader, draft).status_code == 200  # the accountable leader


def test_c16_plan_revision_carries_the_approval_rules(office):
    from plans.models import ResponsePlan

    plan = ResponsePlan.objects.current().get(family="default")
    revised = revise_plan(plan, values={"backdate_tolerance_minutes": 20}, change_note="测试")

    assert revised.approval_rules.count() == plan.approval_rules.count() > 0


def test_c16_a_kind_the_plan_has_no_rule_for_is_refused_naming_the_field(office, clock):
    incident = incident_at(office, "major")
    answer = client_for(office.handler).post(f"/api/v1/incidents/{incident.pk}/drafts/",
                                             {"kind": "memo", "body": ""}, format="json")

    assert answer.status_code == 400
    assert set(answer.data) == {"kind", "body"}
