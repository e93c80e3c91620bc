"""C14, C17: one spokesperson, designated by the leadership group, publishes; only an
approved, current version goes out; where, when, the link and by whom are recorded. C16: a
major incident reaches responded only with a published approved response."""
import pytest

from incidents import actions as incident_actions
from incidents.models import Event, State
from plans.choices import DeadlineKind
from responses import actions
from responses.models import Publication, ResponseDraft
from tests.responses.helpers import (T0, approved, client_for, drafted, incident_at,
                                     with_spokesperson)

pytestmark = pytest.mark.django_db

WHERE = {"where": "微博 @某市教育局", "url": "https://weibo.com/jyj/status/1"}


def publish(person, draft, **extra):
    return client_for(person).post(f"/api/v1/drafts/{draft.pk}/publish/", {**WHERE, **extra},
                                   format="json")


def respond(org, incident):
    return client_for(org.staff).post(f"/api/v1/incidents/{incident.pk}/respond/",
                                      {"response": "已发布情况通报"}, format="json")


def test_c17_only_the_spokesperson_publishes(office, clock):
    incident = incident_at(office, "major")
    draft = approved(office, incident)
    with_spokesperson(office, incident)

    for someone in (office.handler, office.leader, office.staff, office.second_speaker):
        refused = publish(someone, draft)
        assert refused.status_code == 403, someone
        assert "孙发言" in refused.data["detail"]
    assert not Publication.objects.exists()

    answer = publish(office.spokesperson, draft)

    assert answer.status_code == 201, answer.data
    assert answer.data["state"] == "published"
    publication = Publication.objects.get()
    assert (publication.where, publication.url, publication.published_by) == (
        WHERE["where"], WHERE["url"], office.spokesperson)
    assert publication.published_at == T0
    entry = incident.timeline.get(event=Event.RESPONSE_PUBLISHED)
    assert entry.actor_name == "孙发言" and entry.clause == "C17"
    assert WHERE["url"] in entry.note


def test_c17_nobody_publishes_before_a_spokesperson_is_designated(office, clock):
    incident = incident_at(office, "major")
    draft = approved(office, incident)

    refused = publish(office.spokesperson, draft)

    assert refused.status_code == 403
    assert "尚未指定新闻发言人" in refused.data["detail"]


def test_c17_the_spokesperson_may_name_a_publisher_for_one_release(office, clock):
    incident = incident_at(office, "major")
    draft = approved(office, incident)
    other = approved(office, incident, kind="post", body="微博：情况说明")
    with_spokesperson(office, incident)
    assert client_for(office.staff).post(f"/api/v1/drafts/{draft.pk}/publisher/",
                                         {"person": office.staff.pk}).status_code == 403

    named = client_for(office.spokesperson).post(f"/api/v1/drafts/{draft.pk}/publisher/",
                                                 {"person": office.staff.pk}, format="json")

    assert named.status_code == 200, named.data
    assert publish(office.staff, draft).status_code == 201
    assert publish(office.staff, other).status_code == 403  # named for that release only


@pytest.mark.parametrize("how", ["unapproved", "rejected", "superseded", "revised"])
def test_c16_publishing_an_unapproved_rejected_or_superseded_version_is_refused(
        office, clock, how):
    incident = incident_at(office, "major")
    with_spokesperson(office, incident)
    draft = drafted(office, incident)
    extra = {}
    if how == "rejected":
        actions.reject_draft(draft, office.leader.user, comment="口径不统一")
    if how in ("superseded", "revised"):
        actions.approve_draft(draft, office.leader.user)
        actions.revise_draft(draft, office.handler.user, body="修改后的通稿")
    if how == "superseded":
        extra = {"version": 1}

    refused = publish(office.spokesperson, draft, **extra)

    assert refused.status_code == 409, refused.data
    assert not Publication.objects.exists()


def test_c17_publish_names_the_bad_field(office, clock):
    incident = incident_at(office, "major")
    draft = approved(office, incident)
    with_spokesperson(office, incident)

    refused = client_for(office.spokesperson).post(f"/api/v1/drafts/{draft.pk}/publish/",
                                                   {"where": "", "url": "not a link"},
                                                   format="json")

    assert refused.status_code == 400
    assert set(refused.data) == {"where", "url"}


def test_c16_major_incident_cannot_reach_responded_without_a_published_approved_response(
        office, clock):
    incident = incident_at(office, "major")
    assert respond(office, incident).status_code == 409
    draft = approved(office, incident)
    refused = respond(office, incident)
    assert refused.status_code == 409
    assert "发布" in refused.data["detail"]
    with_spokesperson(office, incident)
    assert publish(office.spokesperson, draft).status_code == 201

    answer = respond(office, incident)

    assert answer.status_code == 200, answer.data
    assert answer.data["state"] == State.RESPONDED


def test_c16_a_response_approved_while_general_does_not_answer_a_major_incident(office, clock):
    incident = incident_at(office, "general")
    draft = drafted(office, incident, kind="unified_reply", body="统一答复")
    actions.approve_draft(draft, office.head.user)
    incident_actions.upgrade_severity(incident, office.staff.user, severity="major",
                                      reason="转载扩散")
    with_spokesperson(office, incident)
    assert publish(office.spokesperson, draft).status_code == 201

    assert respond(office, incident).status_code == 409  # approved by the head, not the group


def test_c10a_general_incident_responds_with_the_approved_unified_reply(office, clock):
    incident = incident_at(office, "general")
    assert respond(office, incident).status_code == 409
    draft = drafted(office, incident, kind="unified_reply", body="经核查，情况属实，已整改。")
    actions.approve_draft(draft, office.head.user)

    assert respond(office, incident).status_code == 200
    assert ResponseDraft.objects.get(pk=draft.pk).state == ResponseDraft.State.APPROVED


def test_c14_spokesperson_is_designated_by_the_leadership_group_and_a_change_is_recorded(
        office, clock):
    incident = incident_at(office, "major")
    url = f"/api/v1/incidents/{incident.pk}/spokesperson/"
    assert client_for(office.staff).post(url, {"person": office.spokesperson.pk},
                                         format="json").status_code == 403
    assert client_for(office.leader).post(url, {"person": office.handler.pk},
                                          format="json").data.keys() == {"person"}

    first = client_for(office.leader).post(url, {"person": office.spokesperson.pk},
                                           format="json")
    second = client_for(office.deputy).post(url, {"person": office.second_speaker.pk},
                                            format="json")

    assert first.status_code == second.status_code == 200
    designations = list(incident.timeline.filter(event=Event.SPOKESPERSON_DESIGNATED)
                        .order_by("id"))
    assert [e.actor_name for e in designations] == ["王组长", "陈副组长"]
    assert designations[1].note == "新闻发言人由孙发言改为何发言"
    press_group = incident.deadlines.get(kind=DeadlineKind.PRESS_GROUP)
    assert press_group.state == "met"
    draft = approved(office, incident)
    assert publish(office.spokesperson, draft).status_code == 403
    assert publish(office.second_speaker, draft).status_code == 201
