"""The demo's response story played in Chromium (issue 12's "done when"): the leadership member
approves the press release from the approval inbox, the spokesperson publishes it from the
publication queue, the meeting's task and the next follow-up are done, and the incident reaches
responded — each step on the timeline with who and when, and no step can be skipped."""
import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from incidents.models import Event, Incident, State
from opinion_ops import demo
from plans.models import DeadlineKind
from tests.browser.conftest import open_step
from responses.models import MeetingTask, ResponseDraft

VIDEO = "网传某校教师体罚学生视频"


@pytest.fixture
def demo_office(transactional_db, django_db_serialized_rollback, migrations_data):
    """The demo's seed on the live server (rows committed), on the migrations' plans and roles."""
    connection._test_serialized_contents = migrations_data
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(migrations_data)
    return demo.seed()


def log_in(browser, username):
    page = browser.page
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(browser.base_url + "/")


def post_form(page, path, form):
    """A POST as the page's own form would send it (session cookie and CSRF token), for a step
    the screen does not offer: the server must refuse it too."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(path, form=form, headers={"X-CSRFToken": token},
                             max_redirects=0)


def step_form(page, slug):
    return open_step(page, slug)


def timeline_row(page, event_label, actor):
    return page.locator("table tr", has_text=event_label).filter(has_text=actor)


def test_demo_press_release_is_approved_published_and_the_incident_responded(
        demo_office, session):
    video = Incident.objects.get(title=VIDEO)
    draft = ResponseDraft.objects.get(incident=video, kind="press_release")
    task = MeetingTask.objects.get(meeting__incident=video)
    assert draft.state == ResponseDraft.State.PENDING

    # The spokesperson cannot publish what nobody has approved: the queue offers nothing, and
    # the publish form posted by hand is refused (409).
    speaker = session()
    log_in(speaker, "spokesperson")
    speaker.page.goto("/responses/queue/")
    expect(speaker.page.locator(f"#draft-{draft.pk}")).to_have_count(0)
    early = post_form(speaker.page, f"/responses/drafts/{draft.pk}/publish/",
                      {"where": "官方微博", "url": "https://weibo.com/official/1",
                       "version": "1"})
    assert early.status == 409
    assert "未经审定" in early.text()

    # The leadership member approves it from the inbox, in one step.
    leader = session()
    log_in(leader, "leader")
    leader.page.goto("/responses/inbox/")
    card = leader.page.locator(f"#draft-{draft.pk}")
    expect(card).to_contain_text("新闻通稿")
    expect(card).to_contain_text("视频系剪辑拼接")
    leader.shot("story-inbox")
    card.locator("input[name=comment]").fill("同意发布")
    card.get_by_role("button", name="同意").click()
    expect(leader.page.locator(".messages .success")).to_contain_text("已同意新闻通稿")
    expect(leader.page.locator(f"#draft-{draft.pk}")).to_have_count(0)

    # Approved is not published: the office cannot mark the incident responded yet.
    office = session()
    log_in(office, "office")
    office.page.goto(f"/incidents/{video.pk}/")
    respond = step_form(office.page, "respond")
    respond.locator("[name=respond-response]").fill("已发布情况通报")
    respond.get_by_role("button").click()
    expect(office.page.locator(".messages .error")).to_contain_text("新闻发言人发布")
    video.refresh_from_db()
    assert video.state == State.CLASSIFIED

    # The spokesperson publishes the approved version from the queue.
    speaker.page.goto("/responses/queue/")
    queued = speaker.page.locator(f"#draft-{draft.pk}")
    queued.locator("input[name=where]").fill("官方微博")
    queued.locator("input[name=url]").fill("https://weibo.com/official/notice-video")
    queued.get_by_role("button", name="发布").click()
    expect(speaker.page.locator(".messages .success")).to_contain_text("已发布新闻通稿")
    expect(speaker.page.locator(f"#draft-{draft.pk}")).to_contain_text("刘洋于")
    speaker.shot("story-published")

    # The meeting's task and the next follow-up come due and are met.
    office.page.goto(f"/responses/meetings/{task.meeting_id}/")
    row = office.page.locator(f"#task-{task.pk}")
    row.locator("input[name=outcome]").fill("已查明视频系剪辑拼接，调查报告已报领导小组")
    row.get_by_role("button", name="报告完成").click()
    expect(office.page.locator(".messages .success")).to_contain_text("已完成")
    expect(office.page.locator(f"#task-{task.pk}")).to_contain_text("已查明视频系剪辑拼接")

    office.page.goto(f"/incidents/{video.pk}/")
    follow_up = step_form(office.page, "follow_up")
    follow_up.locator("[name=follow_up-recipient]").fill("领导小组 王建国")
    follow_up.locator("[name=follow_up-progress]").fill("情况通报已由新闻发言人发布")
    follow_up.locator("[name=follow_up-developments]").fill("转发量回落")
    follow_up.locator("[name=follow_up-next_steps]").fill("继续跟踪评论区")
    follow_up.get_by_role("button").click()
    expect(office.page.locator(".messages .success")).to_contain_text("续报")
    expect(timeline_row(office.page, "新情况：转发量回落", "赵敏")).to_contain_text(
        "处置进展：情况通报已由新闻发言人发布")

    respond = step_form(office.page, "respond")
    respond.locator("[name=respond-response]").fill("已发布情况通报：网传视频系剪辑拼接")
    respond.get_by_role("button").click()
    expect(office.page.locator(".messages .success")).to_contain_text("登记处置回应")
    expect(office.page.locator("h1 .badge").first).to_have_text("已处置")
    office.shot("story-responded")

    # Every step on the timeline with who did it (on the screen) and when (recorded, in order).
    for label, who in (("审定回应稿", "王建国"), ("发布回应", "刘洋"), ("会议任务完成", "赵敏"),
                       ("续报", "赵敏"), ("处置回应", "赵敏")):
        expect(timeline_row(office.page, label, who).first).to_be_visible()
    video.refresh_from_db()
    assert video.state == State.RESPONDED
    steps = [video.timeline.filter(event=event).latest("recorded_at")
             for event in (Event.RESPONSE_APPROVED, Event.RESPONSE_PUBLISHED,
                           Event.MEETING_TASK_DONE, Event.FOLLOW_UP_REPORT, Event.RESPONDED)]
    assert [entry.actor_name for entry in steps] == ["王建国", "刘洋", "赵敏", "赵敏", "赵敏"]
    assert [entry.recorded_at for entry in steps] == sorted(entry.recorded_at for entry in steps)
    assert all(entry.occurred_at is not None for entry in steps)
    task.refresh_from_db()
    assert task.deadline.state == "met"
    assert video.deadlines.filter(kind=DeadlineKind.FOLLOW_UP, state="met").count() == 3
