"""Signed one-time acknowledgement links (C13): confirm on GET, acknowledge on POST, once."""
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from incidents.models import Escalation, Event
from notifications import acknowledgement
from notifications.models import AckToken, Delivery, Notification
from tests.incidents.helpers import detect

from .test_delivery_support import (T0, answer_like_providers, escalation_of, give_channels,
                                    minutes, sweep_at, unit_robot)

pytestmark = pytest.mark.django_db
NOW = T0 + minutes(35)


@pytest.fixture
def rung(org, local_server, django_capture_on_commit_callbacks):
    """The verbal report missed: level 1 reached 李值班 by webhook and the department robot."""
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    unit_robot(org.department, local_server, kind="dingtalk", name="dept")
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    sweep_at(T0 + minutes(31), django_capture_on_commit_callbacks)
    return incident


@pytest.fixture
def at_now():
    """The clock stands at NOW, 4 minutes after the breach: every link is still valid, whatever
    the date the suite runs on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _personal_link(server) -> str:
    url = next(r for r in server.received if r.path == "/hooks/duty").json()["ack_url"]
    return urlsplit(url).path


def _group_link(server) -> str:
    text = next(r for r in server.received if r.path == "/robot/send").json()["markdown"]["text"]
    start = text.index("/notifications/ack/")
    return text[start:text.index(")", start)]


def test_c13_link_get_confirms_post_acknowledges_once(org, rung, local_server, client,
                                                      django_capture_on_commit_callbacks):
    link = _personal_link(local_server)
    with time_machine.travel(NOW, tick=False):
        page = client.get(link)
        assert page.status_code == 200
        assert "紧急口头汇报" in page.content.decode() and "李值班" in page.content.decode()
        assert escalation_of(rung).state == Escalation.State.OPEN

        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(link)
        assert done.status_code == 200

        again = client.post(link)
        assert again.status_code == 410
        assert "只能使用一次" in again.content.decode()
        assert client.get(link).status_code == 410

    escalation = escalation_of(rung)
    assert escalation.state == Escalation.State.ACKNOWLEDGED
    assert escalation.acknowledged_by == org.duty.user  # the link names its recipient
    entry = rung.timeline.get(event=Event.ACKNOWLEDGED)
    assert entry.actor_name == "李值班" and "通知中的确认链接" in entry.note
    token = AckToken.objects.get(person=org.duty)
    assert token.used_at is not None and token.used_by == org.duty.user


def test_c13_forged_link_is_refused_with_400(rung, client, at_now):
    token = AckToken.objects.filter(person__isnull=False).first()
    forged = f"/notifications/ack/{token.jti.hex}:not-the-signature/"
    response = client.post(forged)
    assert response.status_code == 400
    assert "签名校验失败" in response.content.decode()
    assert escalation_of(rung).state == Escalation.State.OPEN
    assert client.get("/notifications/ack/garbage/").status_code == 400


def test_c13_expired_link_is_gone_with_410(rung, local_server, client, settings):
    link = _personal_link(local_server)
    with time_machine.travel(T0 + minutes(31) + timedelta(hours=24, seconds=1), tick=False):
        response = client.post(link)
    assert response.status_code == 410
    assert "已过期" in response.content.decode()
    assert escalation_of(rung).state == Escalation.State.OPEN


def test_c13_group_robot_link_acknowledges_as_the_logged_in_user(
        org, rung, local_server, client, django_capture_on_commit_callbacks):
    link = _group_link(local_server)
    with time_machine.travel(NOW, tick=False):
        anonymous = client.get(link)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        client.force_login(org.handler.user)
        assert client.get(link).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(link).status_code == 200
    assert escalation_of(rung).acknowledged_by == org.handler.user


def test_c13_link_to_an_already_acknowledged_ladder_says_so(
        org, rung, local_server, client, django_capture_on_commit_callbacks, at_now):
    from notifications.ladder import acknowledge
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(escalation_of(rung), org.staff.user, via="电话")
    response = client.post(_personal_link(local_server))
    assert response.status_code == 200
    assert "无需再次确认" in response.content.decode()
    assert escalation_of(rung).acknowledged_by == org.staff.user


def test_link_is_the_same_on_every_retry_of_a_copy(rung):
    notification = Notification.objects.get()
    delivery = Delivery.objects.get(channel_kind="webhook")
    first = acknowledgement.ack_url(notification, delivery.person)
    assert acknowledgement.ack_url(notification, delivery.person) == first
    assert AckToken.objects.filter(person=delivery.person).count() == 1
