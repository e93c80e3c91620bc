"""Issue 10's done-when, in a real browser (C06, C01): with the duty officer's lead list open, a
push sent exactly as a DingTalk robot sender sends it (加签 on the URL, a markdown digest with
links, over HTTP) puts its leads on the screen within a second, without a reload; opening an
incident from one starts the C01 report window at the push, not at the click."""
import time
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from incidents.models import Deadline, Incident
from intake import robot_push
from intake.models import DutyShift, Lead, Push
from intake.sources import create_source
from plans.models import DeadlineKind

SECRET = "SECbrowser0123456789abcdef0123456789abcdef0123456789abcdef012345"
# The lead list polls every 500 ms (htmx, templates/intake/_lead_body.html): one period and the
# request that fetches the rows fit in a second.
ON_SCREEN_WITHIN_MS = 1000


def test_c06_pushed_lead_appears_without_reload_and_opens_with_c01_from_the_push(
        office, session, live_server):
    org = office.org
    now = timezone.now()
    DutyShift.objects.create(unit=org.department, person=org.duty,
                             starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=11))
    source = create_source(kind="dingtalk", name="识微钉钉推送", unit_id=org.department.pk,
                           secret=SECRET)
    webhook = f"{live_server.url}{reverse('intake-dingtalk')}?access_token={source.token}"
    duty = session()
    duty.log_in(office.users["duty"])
    duty.page.goto(reverse("intake-leads-page"))
    duty.page.evaluate("window.stillTheSamePage = true")
    title = robot_push.SAMPLE_POSTS[0][0]
    assert duty.page.locator("#lead-rows", has_text=title).count() == 0

    answer = robot_push.push(webhook, SECRET, robot_push.markdown_message())
    answered = time.monotonic()
    row = duty.page.locator("#lead-rows tr", has_text=title)
    row.wait_for(state="visible", timeout=ON_SCREEN_WITHIN_MS)
    on_screen_ms = (time.monotonic() - answered) * 1000
    duty.shot("intake-lead-list-live")

    assert answer == {"errcode": 0, "errmsg": "ok"}
    assert on_screen_ms < ON_SCREEN_WITHIN_MS, f"on screen after {on_screen_ms:.0f} ms"
    assert duty.page.evaluate("window.stillTheSamePage") is True  # no reload
    for other, _url, _heat in robot_push.SAMPLE_POSTS[1:]:
        assert duty.page.locator("#lead-rows tr", has_text=other).count() == 1
    push = Push.objects.get(source=source)
    lead = Lead.objects.get(title=title)
    assert lead.received_at == push.received_at and lead.assignee == org.duty

    row.get_by_role("button", name="立为事件").click()
    duty.page.wait_for_url("**/incidents/*/")

    incident = Incident.objects.get(leads=lead)
    report = Deadline.objects.get(incident=incident, kind=DeadlineKind.REPORT)
    assert incident.discovered_at == push.received_at
    assert report.due_at == push.received_at + timedelta(hours=2)
    assert f"/incidents/{incident.pk}/" in duty.page.url
    duty.shot("intake-incident-opened-from-lead")
