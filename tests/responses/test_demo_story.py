"""The demo leaves a story to play (issue 12's "done when"), here through the API: a press
release waits in the leadership member's inbox; no step can be skipped (publish before approval,
publish by anyone but the spokesperson, respond before publication are refused); played in
order, the incident reaches responded with each step's who and when on the timeline."""
import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from incidents.models import Event, Incident, State
from opinion_ops import demo
from responses import pages
from responses.models import MeetingTask, ResponseDraft

pytestmark = pytest.mark.django_db


def as_user(username) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def test_c16_the_demo_leader_has_a_press_release_waiting_and_the_story_cannot_be_skipped():
    demo.seed()
    video = Incident.objects.get(title="网传某校教师体罚学生视频")
    draft = ResponseDraft.objects.get(incident=video, kind="press_release")
    waiting = pages.inbox(User.objects.get(username="leader"))
    assert [row.draft.pk for row in waiting] == [draft.pk]
    publish = {"where": "官方微博", "url": "https://weibo.com/official/notice-video"}
    respond = {"response": "已发布情况通报"}

    early = as_user("spokesperson").post(f"/api/v1/drafts/{draft.pk}/publish/", publish,
                                         format="json")
    assert early.status_code == 409
    assert as_user("leader").post(f"/api/v1/drafts/{draft.pk}/approve/", {"comment": "同意"},
                                  format="json").status_code == 200
    not_spokesperson = as_user("office").post(f"/api/v1/drafts/{draft.pk}/publish/", publish,
                                              format="json")
    assert not_spokesperson.status_code == 403
    unpublished = as_user("office").post(f"/api/v1/incidents/{video.pk}/respond/", respond,
                                         format="json")
    assert unpublished.status_code == 409

    assert as_user("spokesperson").post(f"/api/v1/drafts/{draft.pk}/publish/", publish,
                                        format="json").status_code == 201
    task = MeetingTask.objects.get(meeting__incident=video)
    assert as_user("office").post(f"/api/v1/meeting-tasks/{task.pk}/done/",
                                  {"outcome": "调查报告已报领导小组"},
                                  format="json").status_code == 200
    assert as_user("office").post(f"/api/v1/incidents/{video.pk}/follow-up/",
                                  {"progress": "通报已发布", "next_steps": "继续跟踪"},
                                  format="json").status_code == 200
    answered = as_user("office").post(f"/api/v1/incidents/{video.pk}/respond/", respond,
                                      format="json")

    assert answered.status_code == 200, answered.data
    assert answered.data["state"] == State.RESPONDED
    order = [Event.RESPONSE_APPROVED, Event.RESPONSE_PUBLISHED, Event.MEETING_TASK_DONE,
             Event.FOLLOW_UP_REPORT, Event.RESPONDED]
    entries = [video.timeline.filter(event=event).latest("recorded_at") for event in order]
    assert [e.actor_name for e in entries] == ["王建国", "刘洋", "赵敏", "赵敏", "赵敏"]
    assert [e.recorded_at for e in entries] == sorted(e.recorded_at for e in entries)
