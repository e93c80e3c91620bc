"""The response pages (C14–C17): a leadership member's approval inbox with the diff and a
one-step approve or reject, the spokesperson's publication queue, and the meeting pages with
tasks and the minutes upload. Each refusal is the action's own, with its status."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from incidents.models import Event
from organisation import roles
from organisation.models import Unit
from responses import actions
from responses.models import Publication, ResponseDraft
from tests.factories import UnitFactory, person_with_role
from tests.responses.helpers import (approved, client_for, drafted, incident_at,
                                     with_spokesperson)

pytestmark = pytest.mark.django_db


def page_client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_c16_inbox_shows_waiting_drafts_with_the_diff_and_approves_in_one_step(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident, body="学校已成立调查组。")
    actions.revise_draft(draft, office.handler.user, body="学校已成立联合调查组，今日公布结果。")
    leader = page_client(office.leader)

    page = leader.get("/responses/inbox/").content.decode()

    assert f'id="draft-{draft.pk}"' in page and "第 2 版" in page
    assert "与第 1 版相比的修改" in page and "<ins>联合</ins>" in page
    assert "回应稿审定" in page  # on the leader's menu

    answer = leader.post(f"/responses/drafts/{draft.pk}/decide/",
                         {"verdict": "approve", "version": "2", "comment": "同意"})

    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ResponseDraft.State.APPROVED
    entry = incident.timeline.filter(event=Event.RESPONSE_APPROVED).get()
    assert entry.actor_name == "王组长"
    assert f'id="draft-{draft.pk}"' not in leader.get("/responses/inbox/").content.decode()


def test_c16_inbox_refuses_a_superseded_version_and_omits_own_drafts(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident, body="第一稿")
    actions.revise_draft(draft, office.handler.user, body="第二稿")
    deputy = page_client(office.deputy)

    stale = deputy.post(f"/responses/drafts/{draft.pk}/decide/",
                        {"verdict": "approve", "version": "1"})

    assert stale.status_code == 409 and "已被第 2 版取代" in stale.content.decode()
    assert not draft.versions.get(number=2).decisions.exists()
    own = drafted(office, incident, body="组长自拟稿", by=office.leader)
    assert f'id="draft-{own.pk}"' not in page_client(office.leader).get(
        "/responses/inbox/").content.decode()
    refused = page_client(office.leader).post(f"/responses/drafts/{own.pk}/decide/",
                                              {"verdict": "approve", "version": "1"})
    assert refused.status_code == 403 and "不能审定本人" in refused.content.decode()


def test_c16_a_rejection_from_the_inbox_needs_a_comment(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    leader = page_client(office.leader)

    blank = leader.post(f"/responses/drafts/{draft.pk}/decide/",
                        {"verdict": "reject", "version": "1", "comment": " "})
    assert blank.status_code == 400 and "请填写退回意见" in blank.content.decode()

    leader.post(f"/responses/drafts/{draft.pk}/decide/",
                {"verdict": "reject", "version": "1", "comment": "口径不准确"})
    draft.refresh_from_db()
    assert draft.state == ResponseDraft.State.REJECTED


def test_c17_publication_queue_is_the_spokespersons_and_only_they_publish(office, clock):
    incident = incident_at(office, "major")
    with_spokesperson(office, incident)
    draft = approved(office, incident)
    speaker = page_client(office.spokesperson)

    assert f'id="draft-{draft.pk}"' in speaker.get("/responses/queue/").content.decode()
    assert f'id="draft-{draft.pk}"' not in page_client(office.second_speaker).get(
        "/responses/queue/").content.decode()
    other = page_client(office.second_speaker).post(
        f"/responses/drafts/{draft.pk}/publish/",
        {"where": "学校官方微博", "url": "https://weibo.com/1/2", "version": "1"})
    assert other.status_code == 403 and not Publication.objects.exists()

    done = speaker.post(f"/responses/drafts/{draft.pk}/publish/",
                        {"where": "学校官方微博", "url": "https://weibo.com/1/2", "version": "1"})

    assert done.status_code == 302
    publication = Publication.objects.get()
    assert (publication.published_by, publication.where) == (office.spokesperson, "学校官方微博")
    assert "孙发言于" in speaker.get("/responses/queue/").content.decode()


def test_c17_an_unapproved_draft_cannot_be_published_from_the_page(office, clock):
    incident = incident_at(office, "major")
    with_spokesperson(office, incident)
    draft = drafted(office, incident)

    answer = page_client(office.spokesperson).post(
        f"/responses/drafts/{draft.pk}/publish/",
        {"where": "学校官方微博", "url": "https://weibo.com/1/2", "version": "1"})

    assert answer.status_code == 409 and not Publication.objects.exists()


def test_c14_meeting_page_shows_attendees_decisions_tasks_and_takes_minutes(office, clock):
    incident = incident_at(office, "major")
    clock.shift(timedelta(minutes=40))
    answer = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/meetings/",
        {"kind": "emergency", "held_at": "2026-11-23T10:30:00+08:00",
         "attendees": [office.leader.pk, office.deputy.pk], "agenda": "研究食堂舆情处置",
         "decisions": "成立调查组", "agreed_wording": "高度重视，立即调查",
         "tasks": [{"title": "核查进货台账", "owner_unit": office.department.pk,
                    "due_at": "2026-11-23T14:00:00+08:00"}]}, format="json")
    assert answer.status_code == 201, answer.data
    meeting, task = answer.data["id"], answer.data["tasks"][0]["id"]
    staff = page_client(office.staff)

    assert f"/responses/meetings/{meeting}/" in staff.get("/responses/meetings/").content.decode()
    page = staff.get(f"/responses/meetings/{meeting}/").content.decode()
    for expected in ("王组长", "陈副组长", "研究食堂舆情处置", "成立调查组", "高度重视，立即调查",
                     "核查进货台账", "教务处"):
        assert expected in page, expected

    bad = staff.post(f"/responses/meetings/{meeting}/minutes/",
                     {"minutes": SimpleUploadedFile("m.pdf", b"<html>x</html>")})
    assert bad.status_code == 400 and "不符" in bad.content.decode()
    good = staff.post(f"/responses/meetings/{meeting}/minutes/",
                      {"minutes": SimpleUploadedFile("m.pdf", b"%PDF-1.4 minutes")})
    assert good.status_code == 302
    assert "下载会议纪要" in staff.get(f"/responses/meetings/{meeting}/").content.decode()

    handler = page_client(office.handler)
    handler.post(f"/responses/tasks/{task}/done/", {"outcome": "台账无异常"})
    assert incident.timeline.filter(event=Event.MEETING_TASK_DONE).get().actor_name == "钱承办"
    assert "台账无异常" in staff.get(f"/responses/meetings/{meeting}/").content.decode()


def test_c14_meetings_of_an_incident_the_user_cannot_see_are_not_found(office, clock):
    incident = incident_at(office, "major")
    meeting = client_for(office.staff).post(
        f"/api/v1/incidents/{incident.pk}/meetings/",
        {"kind": "emergency", "held_at": "2026-11-23T10:00:00+08:00",
         "attendees": [office.leader.pk], "agenda": "议程", "decisions": "决定"},
        format="json").data["id"]
    other = UnitFactory(name="后勤处", kind=Unit.Kind.DEPARTMENT)
    outsider = page_client(person_with_role(roles.DEPARTMENT_HANDLER, other, "冯承办", "feng"))
    assert outsider.get(f"/responses/meetings/{meeting}/").status_code == 404
