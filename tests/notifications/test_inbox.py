"""The in-app inbox every person has: listed on a page and in the API, acknowledged from both."""
import pytest
import time_machine
from rest_framework.test import APIClient

from incidents.models import Escalation, Event
from notifications.models import Delivery, InboxItem
from tests.incidents.helpers import detect

from .test_delivery_support import (T0, answer_like_providers, escalation_of, give_channels,
                                    minutes, sweep_at)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rung(org, local_server, django_capture_on_commit_callbacks):
    """Level 1 of a missed verbal report; 李值班's webhook keeps failing, so a retry is queued."""
    answer_like_providers(local_server, failures={"/hooks/duty": 503})
    give_channels(org.duty, local_server, kinds=("webhook",))
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    sweep_at(T0 + minutes(31), django_capture_on_commit_callbacks)
    return incident


def test_c13_person_has_an_inbox_without_configuring_anything(org, rung):
    item = InboxItem.objects.get()
    assert item.person == org.duty
    assert item.title.startswith("【超时】紧急口头汇报")
    assert "预案条款：C02" in item.text and "已超时 1 分钟" in item.text
    assert item.action_url.endswith(f"/incidents/{rung.pk}/")
    assert item.delivery.status == Delivery.Status.SENT


def test_c13_acknowledging_from_the_inbox_page_stops_the_ladder(
        org, rung, client, django_capture_on_commit_callbacks):
    client.force_login(org.duty.user)
    page = client.get("/notifications/inbox/").content.decode()
    assert "紧急口头汇报" in page and "确认收到" in page
    item = InboxItem.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/inbox/{item.pk}/acknowledge/")

    assert response.status_code == 302
    escalation = escalation_of(rung)
    assert (escalation.state, escalation.acknowledged_by) == (Escalation.State.ACKNOWLEDGED,
                                                              org.duty.user)
    assert "站内信" in rung.timeline.get(event=Event.ACKNOWLEDGED).note
    assert Delivery.objects.get(channel_kind="webhook").status == Delivery.Status.CANCELLED
    item.refresh_from_db()
    assert item.read_at is not None
    after = client.get("/notifications/inbox/").content.decode()
    assert "由 李值班 确认" in after and "<button" not in after.split("站内信</h1>")[1]


def test_another_persons_inbox_item_is_not_found(org, rung, client):
    client.force_login(org.staff.user)
    item = InboxItem.objects.get()
    assert client.post(f"/notifications/inbox/{item.pk}/acknowledge/").status_code == 404
    assert "紧急口头汇报" not in client.get("/notifications/inbox/").content.decode()
    assert escalation_of(rung).state == Escalation.State.OPEN


def test_c13_inbox_api_lists_own_messages_and_acknowledges(
        org, rung, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(org.staff.user)
    assert api.get("/api/v1/inbox/").json()["count"] == 0
    item = InboxItem.objects.get()
    assert api.post(f"/api/v1/inbox/{item.pk}/acknowledge/").status_code == 404

    api.force_authenticate(org.duty.user)
    [listed] = api.get("/api/v1/inbox/").json()["results"]
    assert listed["can_acknowledge"] is True and listed["incident"] == rung.pk
    assert api.post(f"/api/v1/inbox/{item.pk}/read/").json()["read_at"]
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(f"/api/v1/inbox/{item.pk}/acknowledge/")
    assert done.status_code == 200
    assert done.json()["can_acknowledge"] is False and done.json()["acknowledged_at"]
    assert api.post(f"/api/v1/inbox/{item.pk}/acknowledge/").status_code == 409
    assert escalation_of(rung).state == Escalation.State.ACKNOWLEDGED
