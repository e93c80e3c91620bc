"""The delivery log: a page and an API listing every copy, filtered by what people ask."""
import pytest
import time_machine
from rest_framework.test import APIClient

from notifications.models import Delivery
from tests.incidents.helpers import detect

from .test_delivery_support import T0, answer_like_providers, give_channels, minutes, sweep_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server, failures={"/hooks/duty": 400})
    give_channels(org.duty, local_server, kinds=("dingtalk", "webhook"))
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    sweep_at(T0 + minutes(31), django_capture_on_commit_callbacks)
    return incident


def test_delivery_page_lists_and_filters_copies(org, log, client):
    assert client.get("/notifications/deliveries/").status_code == 302  # login required
    client.force_login(org.staff.user)

    page = client.get("/notifications/deliveries/").content.decode()
    assert page.count('class="delivery ') == 3
    assert "HTTP 400" in page and "钉钉群机器人" in page

    failed = client.get("/notifications/deliveries/", {"status": "failed"}).content.decode()
    assert failed.count('class="delivery ') == 1 and "Webhook" in failed
    by_kind = client.get("/notifications/deliveries/", {"channel_kind": "inbox",
                                                        "incident": log.pk}).content.decode()
    assert by_kind.count('class="delivery ') == 1


def test_delivery_api_filters_by_status_kind_incident_and_recipient(org, log):
    api = APIClient()
    assert api.get("/api/v1/deliveries/").status_code in (401, 403)
    api.force_authenticate(org.staff.user)

    everything = api.get("/api/v1/deliveries/").json()
    assert everything["count"] == 3
    failed = api.get("/api/v1/deliveries/", {"status": "failed"}).json()["results"]
    assert [(d["channel_kind"], d["incident"], d["recipient"], d["attempts"]) for d in failed] == [
        ("webhook", log.pk, org.duty.pk, 1)]
    assert "HTTP 400" in failed[0]["last_error"]
    assert api.get("/api/v1/deliveries/", {"channel_kind": "dingtalk"}).json()["count"] == 1
    assert api.get("/api/v1/deliveries/", {"incident": log.pk + 1}).json()["count"] == 0
    assert api.get("/api/v1/deliveries/", {"recipient": org.staff.pk}).json()["count"] == 0
    one = api.get(f"/api/v1/deliveries/{Delivery.objects.get(channel_kind='dingtalk').pk}/").json()
    assert one["status"] == "sent" and one["level"] == 1
    assert '"errcode":0' in one["provider_response"]
