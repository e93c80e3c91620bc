"""C06: the duty officer's lead list (newest first, keywords highlighted) and its forms; the
admin's per-source push log with a "send a sample" button."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

from incidents.models import Incident
from intake.links import Item
from intake.models import Lead, Push, WatchRule
from intake.receiving import ingest

from .conftest import T0, post_json

pytestmark = pytest.mark.django_db


def logged_in(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_c06_lead_list_newest_first_with_keyword_highlights(org, sources, clock):
    WatchRule.objects.create(unit=org.department, name="食品", keywords="食堂")
    ingest(sources.api, [Item(title="早些的线索", url="https://weibo.com/1/a")], body={})
    clock.shift(timedelta(minutes=1))
    ingest(sources.api, [Item(title="某校食堂<饭菜>变质", url="https://weibo.com/1/b")], body={})

    html = logged_in(org.duty).get("/intake/leads/").content.decode()

    assert html.index("某校") < html.index("早些的线索")
    assert "<mark>食堂</mark>&lt;饭菜&gt;" in html


def test_c01_open_from_the_page_redirects_to_the_incident_discovered_at_the_push(
        org, sources, clock):
    lead = ingest(sources.api, [Item(title="线索", url="https://weibo.com/1/a")],
                  body={}).created[0]
    clock.shift(timedelta(minutes=20))

    response = logged_in(org.duty).post(f"/intake/leads/{lead.pk}/open/")

    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert incident.discovered_at == T0


def test_c06_dismiss_from_the_page_without_reason_says_so_and_changes_nothing(
        org, sources, clock):
    lead = ingest(sources.api, [Item(title="线索", url="https://weibo.com/1/a")],
                  body={}).created[0]
    response = logged_in(org.duty).post(f"/intake/leads/{lead.pk}/dismiss/", {"reason": ""},
                                        follow=True)
    assert "请说明排除理由" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).state == "new"


def csrf_token_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def test_c06_admin_send_a_sample_is_a_post_with_csrf_through_the_robot_path(org, sources, clock):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    sample = f"/admin/intake/intakesource/{sources.dingtalk.pk}/sample/"

    page = client.get(f"/admin/intake/intakesource/{sources.dingtalk.pk}/change/")
    assert f'formmethod="post" formaction="{sample}"' in page.content.decode()
    assert f'href="{sample}"' not in page.content.decode()
    assert client.get(sample).status_code == 405
    assert client.post(sample).status_code == 403  # no CSRF token
    assert not Push.objects.exists() and not Lead.objects.exists()

    response = client.post(sample, {"csrfmiddlewaretoken": csrf_token_of(page)}, follow=True)

    change = f"/admin/intake/intakesource/{sources.dingtalk.pk}/change/"
    assert response.redirect_chain[-1][0] == change
    assert "示例推送的应答：{&#x27;errcode&#x27;: 0" in response.content.decode()
    assert Lead.objects.filter(source=sources.dingtalk).count() == 1
    assert Push.objects.get(source=sources.dingtalk).outcome == "accepted"
    assert "已接收" in response.content.decode()


def test_c06_admin_source_page_lists_refused_pushes_with_their_error(org, sources, clock):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-123456789")
    post_json(f"/intake/dingtalk/robot/send?access_token={sources.dingtalk.token}",
              {"msgtype": "text", "text": {"content": "无签名"}})
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/intake/intakesource/{sources.dingtalk.pk}/change/").content.decode()

    assert "已拒绝" in page and "310000" in page and "sign" in page
    listing = client.get("/admin/intake/intakesource/").content.decode()
    assert "发送示例" in listing and 'formmethod="post"' in listing
