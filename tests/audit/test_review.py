"""C19, C20: each department involved owes its own written summary within the plan's 3 days;
the review's record (reviewers from the leadership group, invited experts, conclusion, lessons,
proposed plan changes) comes before the incident is marked reviewed, and adopting a proposed
change opens a draft of the plan's next version."""
import pytest
from rest_framework.test import APIClient

from audit.models import PlanChangeProposal, Review
from incidents import actions, deadlines
from incidents.models import Deadline, State
from opinion_ops.errors import NotPermitted, TransitionNotAllowed
from organisation import roles
from organisation.models import Unit
from plans.models import DeadlineKind, ResponsePlan
from tests.audit.stories import T, at, detect, minutes, report
from tests.factories import UnitFactory, person_with_role
from tests.support.responding import answer_approved

pytestmark = pytest.mark.django_db


def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def responded(org, *, second_department=None):
    """Reported, classified and answered at T+30; `second_department` approved a reply on it
    (a step of the handling), so it is involved too."""
    incident = detect(org)
    report(org, incident, T + minutes(20))
    with at(T + minutes(30)):
        incident = actions.classify_incident(incident, org.staff.user, category="inquiry",
                                             severity="general")
        if second_department is not None:
            row = deadlines.open_deadline(incident, DeadlineKind.RESPONSE_APPROVAL,
                                          start=T + minutes(30), owed_by_unit=second_department,
                                          repeat=True)
            deadlines.meet_rows(incident, Deadline.objects.filter(pk=row.pk),
                                at=T + minutes(30))
        answer_approved(org, incident)
        return actions.respond_incident(incident, org.staff.user, actions.Step(),
                                        response="已答复网民")


def summaries(incident):
    return {d.owed_by_unit.name: d for d in
            incident.deadlines.filter(kind=DeadlineKind.SUMMARY).select_related("owed_by_unit")}


def record(org, incident, user=None, reviewers=None):
    from audit.reviews import record_review

    return record_review(incident, user or org.auditor.user,
                         reviewers=reviewers or [org.leader], conclusion="处置及时",
                         lessons="值班交接须当即报告",
                         experts=[{"name": "林教授", "affiliation": "师范大学"}])


def test_c19_each_department_involved_owes_its_own_summary_within_3_days(org):
    logistics = UnitFactory(name="后勤处", kind=Unit.Kind.DEPARTMENT)
    incident = responded(org, second_department=logistics)
    owed = summaries(incident)
    assert set(owed) == {incident.owner_unit.name, "后勤处"}
    for row in owed.values():
        assert row.clause == "C19" and row.due_at - T - minutes(30) >= minutes(3 * 24 * 60)


def test_c19_a_departments_summary_meets_its_own_deadline_and_review_waits_for_the_others(org):
    logistics = UnitFactory(name="后勤处", kind=Unit.Kind.DEPARTMENT)
    clerk = person_with_role(roles.DEPARTMENT_HANDLER, logistics, "孙处员", "logistics")
    incident = responded(org, second_department=logistics)
    with at(T + minutes(60)):
        actions.file_summary(incident, clerk.user, actions.Step(recipient="舆情办"))
        owed = summaries(incident)
        assert owed["后勤处"].state == Deadline.State.MET
        assert owed[incident.owner_unit.name].state == Deadline.State.PENDING
        # A department files its own summary only; another's is the office's to record.
        with pytest.raises(NotPermitted):
            actions.file_summary(incident, clerk.user, actions.Step(recipient="舆情办"),
                                 unit=incident.owner_unit)
        record(org, incident)
        with pytest.raises(TransitionNotAllowed) as refused:
            actions.review_incident(incident, org.leader.user, actions.Step(), findings="结论")
        assert "书面总结" in str(refused.value)
        actions.file_summary(incident, org.staff.user, actions.Step(recipient="领导小组"),
                             unit=incident.owner_unit)
        reviewed = actions.review_incident(incident, org.leader.user, actions.Step(),
                                           findings="结论")
    assert reviewed.state == State.REVIEWED


def test_c19_a_summary_the_sweep_breached_still_has_to_be_filed_before_review(org):
    incident = responded(org)
    Deadline.objects.filter(incident=incident, kind=DeadlineKind.SUMMARY).update(
        state=Deadline.State.BREACHED, breached_at=T + minutes(31))
    record(org, incident)
    with at(T + minutes(90)), pytest.raises(TransitionNotAllowed) as refused:
        actions.review_incident(incident, org.leader.user, actions.Step(), findings="结论")
    assert incident.owner_unit.name in str(refused.value)


def test_c20_review_waits_for_the_review_record(org):
    incident = responded(org)
    with at(T + minutes(60)):
        actions.file_summary(incident, org.staff.user, actions.Step(recipient="领导小组"))
        with pytest.raises(TransitionNotAllowed) as refused:
            actions.review_incident(incident, org.leader.user, actions.Step(), findings="结论")
        assert "复盘评估记录" in str(refused.value)
        record(org, incident)
        assert actions.review_incident(incident, org.leader.user, actions.Step(),
                                       findings="结论").state == State.REVIEWED


def test_c20_review_record_through_the_api_with_reviewers_experts_and_its_findings(org):
    incident = responded(org)
    body = {"incident": incident.pk, "reviewers": [org.staff.pk], "conclusion": "处置及时",
            "lessons": "经验", "experts": [{"name": "林教授", "affiliation": "师范大学"}]}
    with at(T + minutes(60)):
        refused = client(org.auditor.user).post("/api/v1/audit/reviews/", body, format="json")
        assert refused.status_code == 400 and "reviewers" in refused.data  # not leadership
        created = client(org.auditor.user).post(
            "/api/v1/audit/reviews/", {**body, "reviewers": [org.leader.pk]}, format="json")
        assert created.status_code == 201, created.data
        assert created.data["experts"] == [{"name": "林教授", "affiliation": "师范大学"}]
        assert "findings" in created.data and "commendations" in created.data
        missing = client(org.auditor.user).post("/api/v1/audit/reviews/",
                                                {**body, "reviewers": [org.leader.pk],
                                                 "lessons": ""}, format="json")
        assert missing.status_code == 400 and "lessons" in missing.data
        handler = client(org.handler.user).post(
            "/api/v1/audit/reviews/", {**body, "reviewers": [org.leader.pk]}, format="json")
        assert handler.status_code in (403, 404)
    listed = client(org.auditor.user).get(f"/api/v1/audit/reviews/?incident={incident.pk}")
    assert [r["id"] for r in listed.data["results"]] == [created.data["id"]]
    assert Review.objects.get(incident=incident).reviewers.get() == org.leader


def test_c20_adopting_a_proposed_change_opens_a_draft_of_the_next_plan_version(org):
    incident = responded(org)
    with at(T + minutes(60)):
        review = record(org, incident)
        proposed = client(org.auditor.user).post(
            f"/api/v1/audit/reviews/{review.pk}/plan-changes/",
            {"proposal": "续报间隔改为 2 小时"}, format="json")
        assert proposed.status_code == 201, proposed.data
        url = f"/api/v1/audit/plan-changes/{proposed.data['id']}/adopt/"
        assert client(org.auditor.user).post(url).status_code == 403  # the leadership's call
        adopted = client(org.leader.user).post(url)
        assert adopted.status_code == 200, adopted.data
        draft = ResponsePlan.objects.get(pk=adopted.data["draft"])
        assert draft.family == incident.plan.family and not draft.is_published
        assert draft.version == incident.plan.version + 1
        assert "续报间隔改为 2 小时" in draft.change_note
        assert client(org.leader.user).post(url).status_code == 400  # once
        from audit.reviews import adopt_plan_change, propose_plan_change

        second = propose_plan_change(review, org.auditor.user, proposal="增设夜间值班")
        assert adopt_plan_change(second, org.leader.user).draft == draft  # the same draft
    draft.refresh_from_db()
    assert "增设夜间值班" in draft.change_note
    assert PlanChangeProposal.objects.filter(draft=draft).count() == 2
    assert ResponsePlan.objects.current().get(family=draft.family).pk == incident.plan.pk


def test_c20_the_auditor_fills_the_review_on_the_incidents_audit_page(org):
    incident = responded(org)
    from django.test import Client

    page = Client()
    page.force_login(org.auditor.user)
    with at(T + minutes(60)):
        assert "保存复盘评估记录" in page.get(f"/audit/incidents/{incident.pk}/").content.decode()
        page.post(f"/audit/incidents/{incident.pk}/review/", {
            "reviewers": [org.leader.pk], "experts": "林教授，师范大学\n", "conclusion": "及时",
            "lessons": "交接须当即报告"})
        page.post(f"/audit/incidents/{incident.pk}/plan-changes/", {"proposal": "增设夜班"})
        text = page.get(f"/audit/incidents/{incident.pk}/").content.decode()
    review = Review.objects.get(incident=incident)
    assert review.experts == [{"name": "林教授", "affiliation": "师范大学"}]
    assert review.plan_changes.get().proposal == "增设夜班"
    assert "林教授" in text and "增设夜班" in text
