"""The admin is a window on the record: transitions go through the actions, the timeline and
published plans cannot be changed there, incidents cannot be deleted."""
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from incidents import actions
from incidents.models import Deadline, Event, Incident, State, TimelineEntry
from plans.models import DeadlineKind, ResponsePlan
from tests.incidents.helpers import deadline, detect, report
from tests.support.responding import answer_approved
from tests.support.reviewing import review_recorded

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


def change_url(model, pk):
    return reverse(f"admin:incidents_{model}_change", args=[pk])


def run_action(client, action, ids, apply=True, url=CHANGELIST, **fields):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in ids], **fields}
    if apply:
        data["apply"] = "1"
    else:
        data["index"] = "0"
    return client.post(url, data, follow=apply)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_admin_pages_load_for_a_superuser(admin_client, org):
    incident = detect(org)
    report(org, incident)
    plan = ResponsePlan.objects.current().get(family="default")
    entry = incident.timeline.first()
    row = deadline(incident, DeadlineKind.REPORT)
    urls = [
        CHANGELIST, change_url("incident", incident.pk), reverse("admin:incidents_incident_add"),
        CHANGELIST + "?state__exact=reported&overdue=yes&q=食堂",
        reverse("admin:plans_responseplan_changelist"), reverse("admin:plans_responseplan_change", args=[plan.pk]),
        reverse("admin:incidents_timelineentry_changelist"), change_url("timelineentry", entry.pk),
        reverse("admin:incidents_deadline_changelist") + "?overdue=yes",
        change_url("deadline", row.pk), reverse("admin:incidents_escalation_changelist"),
        reverse("admin:organisation_unit_changelist"), reverse("admin:organisation_person_changelist"),
        reverse("admin:auth_user_change", args=[org.duty.user.pk]),
    ]
    for url in urls:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(change_url("incident", incident.pk)).content.decode()
    assert "报告舆情办" in page and "舆情办 赵干事" in page  # the timeline entry, read-only
    assert "向舆情办报告" in page  # the deadline inline


def test_c01_admin_report_action_goes_through_the_action_with_an_intermediate_form(
        admin_client, org):
    incident = detect(org)
    form_page = run_action(admin_client, "step_report", [incident.pk], apply=False)
    assert form_page.status_code == 200
    assert 'name="recipient"' in form_page.content.decode()
    response = run_action(admin_client, "step_report", [incident.pk], channel="phone",
                          recipient="舆情办值班室", note="电话报告")
    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.state == State.REPORTED
    entry = incident.timeline.get(event=Event.REPORTED)
    assert (entry.channel, entry.recipient, entry.actor_name) == ("phone", "舆情办值班室", "admin")
    assert deadline(incident, DeadlineKind.REPORT).state == Deadline.State.MET


def test_admin_actions_classify_respond_review_dismiss_merge(admin_client, org):
    first, second, third = detect(org), detect(org, title="重复帖"), detect(org, title="旧闻")
    report(org, first)
    run_action(admin_client, "step_classify", [first.pk], category="inquiry", severity="general")
    run_action(admin_client, "step_merge", [second.pk], into=str(first.pk))
    answer_approved(org, first)
    run_action(admin_client, "step_respond", [first.pk], response="已答复网民", channel="written")
    actions.file_summary(first, org.staff.user, actions.Step(recipient="领导小组"))
    review_recorded(org, first)  # C20: the review's record comes first
    run_action(admin_client, "step_review", [first.pk], findings="按时办结")
    run_action(admin_client, "step_dismiss", [third.pk], note="外地旧闻")
    states = dict(Incident.objects.values_list("pk", "state"))
    assert states == {first.pk: State.REVIEWED, second.pk: State.MERGED,
                      third.pk: State.DISMISSED}
    assert set(first.timeline.values_list("event", flat=True)) >= {
        Event.CLASSIFIED, Event.RESPONDED, Event.REVIEWED}


def test_admin_merge_into_a_closed_incident_is_a_message_not_a_500(admin_client, org):
    open_one, closed = detect(org), detect(org, title="已排除")
    run_action(admin_client, "step_dismiss", [closed.pk], note="外地旧闻")
    response = run_action(admin_client, "step_merge", [open_one.pk], into=str(closed.pk))
    assert response.status_code == 200
    open_one.refresh_from_db()
    assert open_one.state == State.DETECTED


def test_admin_action_refused_by_the_state_machine_is_shown_as_a_message(admin_client, org):
    incident = detect(org)
    response = run_action(admin_client, "step_classify", [incident.pk], category="inquiry",
                          severity="general")
    assert response.status_code == 200
    assert any("不能执行 classify" in text for text in messages_of(response))
    incident.refresh_from_db()
    assert incident.state == State.DETECTED
    assert not incident.timeline.filter(event=Event.CLASSIFIED).exists()


def test_c01_admin_report_without_recipient_keeps_the_form_and_stores_nothing(admin_client, org):
    incident = detect(org)
    before = incident.timeline.count()
    response = admin_client.post(CHANGELIST, {"action": "step_report", "apply": "1",
                                              ACTION_CHECKBOX_NAME: [incident.pk],
                                              "channel": "phone", "note": "已电话报告"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page and "已电话报告" in page
    incident.refresh_from_db()
    assert incident.state == State.DETECTED and incident.timeline.count() == before


def test_admin_change_page_buttons_lead_to_the_transition_form(admin_client, org):
    incident = detect(org)
    page = admin_client.get(change_url("incident", incident.pk)).content.decode()
    assert 'value="step_report"' in page and 'value="step_classify"' not in page
    form_page = admin_client.post(CHANGELIST, {"action": "step_report", "index": "0",
                                               ACTION_CHECKBOX_NAME: [incident.pk],
                                               "_return_to": "change"})
    assert form_page.status_code == 200 and 'name="_return_to"' in form_page.content.decode()
    done = admin_client.post(CHANGELIST, {"action": "step_report", "apply": "1",
                                          ACTION_CHECKBOX_NAME: [incident.pk],
                                          "_return_to": "change", "channel": "written",
                                          "recipient": "舆情办"})
    assert done.status_code == 302 and done.url == change_url("incident", incident.pk)


def test_admin_add_incident_goes_through_detect(admin_client, org):
    # Five minutes after the discovery time typed into the form (09:00 in Shanghai).
    with time_machine.travel(datetime(2025, 9, 1, 1, 5, tzinfo=UTC), tick=False):
        response = admin_client.post(reverse("admin:incidents_incident_add"), {
            "title": "网传某校周边发生交通事故", "summary": "短视频",
            "source_url": "https://example.com/v/1", "platform": "抖音",
            "discovered_at": "2025-09-01 09:00", "urgent": "on"})
    assert response.status_code == 302
    incident = Incident.objects.get(title="网传某校周边发生交通事故")
    assert incident.timeline.filter(event=Event.DETECTED).exists()
    assert incident.deadlines.filter(kind=DeadlineKind.VERBAL_REPORT).exists()


def test_c24_incidents_cannot_be_changed_or_deleted_in_admin(admin_client, org, rf):
    incident = detect(org)
    model_admin = admin.site._registry[Incident]
    request = rf.get("/")
    request.user = org.staff.user.__class__.objects.get(username="admin")
    assert not model_admin.has_delete_permission(request, incident)
    assert not model_admin.has_change_permission(request, incident)
    assert "delete_selected" not in model_admin.get_actions(request)
    delete = admin_client.post(reverse("admin:incidents_incident_delete", args=[incident.pk]),
                               {"post": "yes"})
    assert delete.status_code == 403
    change = admin_client.post(change_url("incident", incident.pk), {"title": "改过的标题"})
    assert change.status_code == 403
    incident.refresh_from_db()
    assert incident.title != "改过的标题"


def test_c24_timeline_is_read_only_in_admin(admin_client, org, rf):
    incident = detect(org)
    entry = incident.timeline.first()
    model_admin = admin.site._registry[TimelineEntry]
    request = rf.get("/")
    request.user = org.staff.user.__class__.objects.get(username="admin")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert admin_client.post(change_url("timelineentry", entry.pk),
                             {"note": "改写"}).status_code == 403
    assert admin_client.post(reverse("admin:incidents_timelineentry_delete", args=[entry.pk]),
                             {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:incidents_timelineentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.note != "改写"


def test_c20_published_plan_cannot_be_changed_via_admin(admin_client):
    plan = ResponsePlan.objects.current().get(family="default")
    rule = plan.rule_for(DeadlineKind.REPORT)
    response = admin_client.post(reverse("admin:plans_responseplan_change", args=[plan.pk]), {
        "name": "被改名的预案", "major_clicks": "1",
        "rules-TOTAL_FORMS": "1", "rules-INITIAL_FORMS": "1",
        "rules-0-id": str(rule.pk), "rules-0-plan": str(plan.pk), "rules-0-amount": "9"})
    assert response.status_code == 403
    plan.refresh_from_db()
    rule.refresh_from_db()
    assert (plan.name, plan.major_clicks, rule.amount) == ("网络舆情应急处置预案", 1000, 2)
    page = admin_client.get(reverse("admin:plans_responseplan_change", args=[plan.pk])).content.decode()
    assert 'name="name"' not in page and 'value="start_revision"' in page


def _change_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data


def test_c20_create_new_version_keeps_the_old_one_and_publish_supersedes_it(admin_client):
    plan = ResponsePlan.objects.current().get(family="default")
    changelist = reverse("admin:plans_responseplan_changelist")
    response = run_action(admin_client, "start_revision", [plan.pk], url=changelist)
    assert response.status_code == 200
    draft = ResponsePlan.objects.get(family="default", version=plan.version + 1)
    assert draft.published_at is None and draft.rules.count() == plan.rules.count()

    page = admin_client.get(reverse("admin:plans_responseplan_change", args=[draft.pk]))
    data = _change_form_data(page)
    data["name"] = "网络舆情应急处置预案（1 小时报告）"
    report_form = next(key for key, value in data.items()
                       if key.startswith("rules-") and key.endswith("-kind") and value == "report")
    data[report_form.replace("-kind", "-amount")] = "1"
    saved = admin_client.post(reverse("admin:plans_responseplan_change", args=[draft.pk]), data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert draft.rules.get(kind="report").amount == 1

    run_action(admin_client, "publish", [draft.pk], url=changelist)
    plan.refresh_from_db()
    draft.refresh_from_db()
    assert ResponsePlan.objects.current().get(family="default") == draft
    assert plan.superseded_at is not None
    assert plan.rule_for("report").amount == 2 and plan.name == "网络舆情应急处置预案"
    listing = admin_client.get(changelist).content.decode()
    assert "已替代" in listing and "现行" in listing
