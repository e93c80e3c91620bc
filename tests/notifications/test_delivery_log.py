"""The delivery log: a page and an API listing every copy, filtered by what people ask and
scoped by who asks (only copies about incidents they see; addresses for the office only)."""
import pytest
import time_machine
from rest_framework.test import APIClient

from notifications.models import Delivery, PersonChannel
from organisation import roles
from tests.factories import UnitFactory, person_with_role
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


# Who reads the log (C23): only copies about incidents the reader sees, addresses for the office.

PHONE = "13800138000"
EMAIL = "li.zhiban@example.cn"


@pytest.fixture
def addressed_log(org, django_capture_on_commit_callbacks):
    """The duty officer is reached by SMS (the console backend, to their phone) and e-mail."""
    org.duty.phone = PHONE
    org.duty.save()
    PersonChannel.objects.create(person=org.duty, kind="console", priority=1)
    PersonChannel.objects.create(person=org.duty, kind="email", address=EMAIL, priority=2)
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    sweep_at(T0 + minutes(31), django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(status="sent").count() == 3  # inbox, SMS, e-mail
    return incident


def api_for(person) -> APIClient:
    api = APIClient()
    api.force_authenticate(person.user)
    return api


def test_delivery_log_shows_recipients_addresses_to_the_office(org, addressed_log, client):
    client.force_login(org.staff.user)
    page = client.get("/notifications/deliveries/").content.decode()
    assert PHONE in page and EMAIL in page

    rows = api_for(org.staff).get("/api/v1/deliveries/").json()["results"]
    assert {row["recipient_label"] for row in rows} == {
        "李值班", f"李值班 {PHONE}", f"李值班 {EMAIL}"}
    assert any(PHONE in row["provider_response"] for row in rows)


def test_delivery_log_shows_a_handler_and_leadership_names_only(org, addressed_log, client):
    for reader in (org.handler, org.leader):
        client.force_login(reader.user)
        page = client.get("/notifications/deliveries/").content.decode()
        assert page.count('class="delivery ') == 3, reader.name
        assert "李值班" in page
        assert PHONE not in page and EMAIL not in page

        response = api_for(reader).get("/api/v1/deliveries/")
        rows = response.json()["results"]
        assert [row["recipient_label"] for row in rows] == ["李值班"] * 3
        assert PHONE not in response.content.decode() and EMAIL not in response.content.decode()
        one = api_for(reader).get(f"/api/v1/deliveries/{rows[0]['id']}/").content.decode()
        assert PHONE not in one and EMAIL not in one


def test_c23_delivery_log_lists_only_copies_about_incidents_the_reader_sees(org, addressed_log,
                                                                            client):
    logistics = UnitFactory(name="后勤处")
    outsider = person_with_role(roles.DEPARTMENT_HANDLER, logistics, "冯承办", "handler2")
    client.force_login(outsider.user)

    assert client.get("/notifications/deliveries/").content.decode().count(
        'class="delivery ') == 0
    assert api_for(outsider).get("/api/v1/deliveries/").json()["count"] == 0
    some = Delivery.objects.first()
    assert api_for(outsider).get(f"/api/v1/deliveries/{some.pk}/").status_code == 404


def test_c23_timeline_names_the_recipient_without_their_address(org, django_capture_on_commit_callbacks):
    """The incident's timeline is read by everyone who sees the incident: a delivery's entry
    names the person, and their phone number or e-mail address stays in the office's log."""
    from notifications import delivery
    from notifications.models import Delivery, Notification
    from incidents.models import Event
    from tests.incidents.helpers import detect

    incident = detect(org)
    notification = Notification.objects.create(
        key="t", incident=incident, reason=Notification.Reason.ESCALATION, level=1, clause="C01",
        asks_ack=False, due_at=incident.discovered_at, label="报告", title="t", body="b",
        created_at=incident.discovered_at)
    row = Delivery.objects.create(
        notification=notification, person=org.duty, channel_kind="console",
        recipient_label=f"{org.duty.name} 13800138000", created_at=incident.discovered_at,
        idempotency_key="k")
    delivery._record(row, notification, "已发送", error="console: to 13800138000 li@example.org")
    entry = incident.timeline.filter(event=Event.NOTIFICATION).get()
    text = f"{entry.recipient} {entry.note} {entry.data}"
    assert org.duty.name in entry.recipient
    assert "13800138000" not in text and "li@example.org" not in text
