"""The demo's done-when (C06, C01): bin/demo-push pushes over HTTP exactly as a DingTalk robot
sender does (加签 on the URL, markdown with links); the leads are in the duty officer's list
rows (which the page polls every second) at once, and one opens an incident whose report
deadline runs from the push's received time."""
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import Deadline, Incident
from intake import robot_push
from intake.models import DutyShift, Lead, Push
from intake.protocols.dingtalk import sign
from intake.sources import create_source
from plans.models import DeadlineKind

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SECRET = "SECtest0123456789abcdef0123456789abcdef0123456789abcdef0123456789"


def test_c06_signed_url_is_dingtalk_jiaqian_appended_to_the_webhook():
    url = robot_push.signed_url("http://h/intake/dingtalk/robot/send?access_token=t", SECRET,
                                1700000000000)

    query = parse_qs(urlsplit(url).query)  # decodes the URL-encoded sign as DingTalk does
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [sign(SECRET, 1700000000000)]
    assert "%2B" in url or "%2F" in url or "%3D" in url  # base64 sent URL-encoded


def test_c01_demo_push_over_http_lands_in_the_duty_list_and_opens_from_the_push(org,
                                                                              live_server):
    source = create_source(kind="dingtalk", name="识微钉钉推送", unit_id=org.department.pk,
                           secret=SECRET)
    now = timezone.now()
    DutyShift.objects.create(unit=org.department, person=org.duty,
                             starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=11))
    webhook = f"{live_server.url}{reverse('intake-dingtalk')}?access_token={source.token}"
    out = io.StringIO()

    call_command("push_robot_sample", url=webhook, secret=SECRET, stdout=out)

    assert "'errcode': 0" in out.getvalue()
    push = Push.objects.get(source=source)
    assert push.outcome == "accepted" and push.leads_created == len(robot_push.SAMPLE_POSTS)
    duty = Client()
    duty.force_login(org.duty.user)
    rows = duty.get(reverse("intake-leads-rows"))
    html = rows.content.decode()
    assert all(title in html for title, _url, _heat in robot_push.SAMPLE_POSTS)
    assert rows["X-Lead-Stamp"]
    lead = Lead.objects.get(title=robot_push.SAMPLE_POSTS[0][0])
    assert lead.assignee == org.duty and lead.received_at == push.received_at

    duty.post(reverse("intake-lead-step", args=[lead.pk, "open"]))

    incident = Incident.objects.get()
    report = Deadline.objects.get(incident=incident, kind=DeadlineKind.REPORT)
    assert incident.discovered_at == push.received_at
    assert report.due_at == push.received_at + timedelta(hours=2)


def test_c06_demo_push_with_a_wrong_secret_is_refused_and_says_so(org, live_server):
    source = create_source(kind="dingtalk", name="识微钉钉推送", unit_id=org.department.pk,
                           secret=SECRET)
    webhook = f"{live_server.url}{reverse('intake-dingtalk')}?access_token={source.token}"

    with pytest.raises(Exception, match="310000"):
        call_command("push_robot_sample", url=webhook, secret="wrong", stdout=io.StringIO())
    assert Lead.objects.count() == 0
    assert Push.objects.get(source=source).outcome == "refused"
