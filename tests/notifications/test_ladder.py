"""The escalation ladder end to end: breach → rungs → deliveries → acknowledgement (C02, C13)."""
import re

import pytest
import time_machine

from notifications import ladder
from plans.models import DeadlineKind
from incidents.models import Escalation, EscalationNotice, Event
from notifications.models import Delivery, Notification
from tests.incidents.helpers import detect

from tests.support.sweeping import sweep_all

from .test_delivery_support import (T0, answer_like_providers, escalation_of, give_channels,
                                    minutes, paths, sweep_at, unit_robot)

pytestmark = pytest.mark.django_db

ACK_LINK = re.compile(r"http://testserver-site/notifications/ack/[^/\s)\"]+/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver-site"


def _notification(incident, level):
    return Notification.objects.get(incident=incident, level=level)


def test_c02_missed_verbal_report_reaches_every_configured_channel(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server)
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)

    sweep_at(T0 + minutes(31), django_capture_on_commit_callbacks)

    notice = EscalationNotice.objects.get(escalation__deadline__kind=DeadlineKind.VERBAL_REPORT)
    rows = list(Delivery.objects.filter(notification__notice=notice).order_by("rank"))
    assert [(d.channel_kind, d.status) for d in rows] == [
        ("inbox", "sent"), ("dingtalk", "sent"), ("wecom", "sent"), ("feishu", "sent"),
        ("webhook", "sent")]
    assert sorted(paths(local_server)) == ["/cgi-bin/webhook/send", "/hooks/duty",
                                           "/open-apis/bot/v2/hook/duty", "/robot/send"]
    by_path = {r.path: r for r in local_server.received}
    dingtalk = by_path["/robot/send"].json()["markdown"]
    assert dingtalk["title"] == f"【超时】紧急口头汇报 — #{incident.pk} 网传某校食堂饭菜变质"
    assert "**状态**：已超时 1 分钟" in dingtalk["text"]
    assert f"http://testserver-site/incidents/{incident.pk}/" in dingtalk["text"]
    assert ACK_LINK.search(dingtalk["text"])
    assert ACK_LINK.search(by_path["/cgi-bin/webhook/send"].json()["markdown"]["content"])
    assert "确认收到" in by_path["/open-apis/bot/v2/hook/duty"].body.decode()
    hook = by_path["/hooks/duty"].json()
    assert hook["clause"] == "C02" and hook["escalation_level"] == 1
    assert hook["deadline"]["label"] == "紧急口头汇报"
    assert ACK_LINK.fullmatch(hook["ack_url"])
    assert hook["idempotency_key"] == rows[4].idempotency_key
    # Every copy is on the incident's record, with channel, recipient and status.
    entries = list(incident.timeline.filter(event=Event.NOTIFICATION))
    assert len(entries) == 5
    assert {e.data["channel_kind"] for e in entries} == {"inbox", "dingtalk", "wecom", "feishu",
                                                         "webhook"}
    assert all(e.data["status"] == "sent" and e.clause == "C02" and "李值班" in e.recipient
               for e in entries)


def test_c13_ladder_climbs_to_the_office_and_stops_when_acknowledged_by_link(
        org, local_server, client, django_capture_on_commit_callbacks):
    answer_like_providers(local_server, failures={"/hooks/auditor": 503})
    give_channels(org.duty, local_server, kinds=("dingtalk",))
    give_channels(org.staff, local_server, kinds=("webhook",))
    give_channels(org.auditor, local_server, kinds=("webhook",))
    unit_robot(org.office, local_server, name="office")
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    due = T0 + minutes(30)

    # Level 1: the person who owes the verbal report, on each of their channels.
    sweep_at(due + minutes(1), django_capture_on_commit_callbacks)
    assert paths(local_server) == ["/robot/send"]
    level1 = _notification(incident, 1)
    assert {d.person for d in level1.deliveries.all()} == {org.duty}

    # No one acknowledged: 15 minutes later the office hears of it.
    sweep_at(due + minutes(15), django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(incident=incident, level=2).exists()
    sweep_at(due + minutes(16), django_capture_on_commit_callbacks)
    level2 = _notification(incident, 2)
    assert {(d.person.name if d.person else d.unit.name, d.channel_kind, d.status)
            for d in level2.deliveries.all()} == {
        ("赵干事", "inbox", "sent"), ("赵干事", "webhook", "sent"),
        ("周审计", "inbox", "sent"), ("周审计", "webhook", "queued"),
        ("舆情办", "wecom", "sent")}
    assert sorted(paths(local_server)[1:]) == ["/cgi-bin/webhook/send", "/hooks/auditor",
                                               "/hooks/staff"]

    # The office's 赵干事 follows the link in the message: GET asks, POST acknowledges.
    link = next(r for r in local_server.received if r.path == "/hooks/staff").json()["ack_url"]
    path = link.removeprefix("http://testserver-site")
    with time_machine.travel(due + minutes(20), tick=False):
        page = client.get(path)
        assert page.status_code == 200 and "确认收到" in page.content.decode()
        assert escalation_of(incident).state == Escalation.State.OPEN
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(path)
    assert done.status_code == 200 and "已确认，升级已停止" in done.content.decode()
    stopped = escalation_of(incident)
    assert stopped.state == Escalation.State.ACKNOWLEDGED
    assert stopped.acknowledged_by == org.staff.user
    retry = level2.deliveries.get(person=org.auditor, channel_kind="webhook")
    assert retry.status == Delivery.Status.CANCELLED

    # Nothing more: no level 3 (it would have come 30 minutes after level 2), and the cancelled
    # retry is not sent by the delivery sweep. (The written report falls due at +60.)
    received = len(local_server.received)
    local_server.failures.clear()
    sweep_at(due + minutes(50), django_capture_on_commit_callbacks)
    from notifications.tasks import sweep_deliveries
    with time_machine.travel(due + minutes(50), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        sweep_deliveries.delay()
    assert not Notification.objects.filter(incident=incident, level=3).exists()
    assert len(local_server.received) == received

    # The record shows each step in order.
    events = [e.event for e in incident.timeline.order_by("recorded_at", "id")
              if e.event in (Event.DEADLINE_BREACHED, Event.ESCALATED, Event.ACKNOWLEDGED,
                             Event.NOTIFICATION)]
    assert events[:2] == [Event.DEADLINE_BREACHED, Event.ESCALATED]
    assert events.count(Event.ESCALATED) == 2
    ack_at = events.index(Event.ACKNOWLEDGED)
    assert events.index(Event.ESCALATED, 2) < ack_at
    after = incident.timeline.filter(event=Event.NOTIFICATION, data__cancelled=1)
    assert after.count() == 1 and "取消 1 条" in after.get().note
    failure = incident.timeline.get(event=Event.NOTIFICATION, data__delivery=retry.pk)
    assert "HTTP 503" in failure.note and "重试" in failure.note
    acknowledged = incident.timeline.get(event=Event.ACKNOWLEDGED)
    assert acknowledged.actor_name == "赵干事" and "确认链接" in acknowledged.note


def _breach_without_sending(org, capture):
    """Breach the verbal report and plan its deliveries, keeping their send tasks back."""
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    with time_machine.travel(T0 + minutes(31), tick=False):
        with capture() as planning:
            sweep_all()
        with capture() as sends:
            for callback in planning:
                callback()
    assert sends, "deliveries were planned and their tasks are pending"
    return incident, sends


def test_c13_acknowledged_ladder_sends_nothing_more(org, local_server,
                                                    django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server)
    incident, pending_sends = _breach_without_sending(org, django_capture_on_commit_callbacks)

    with time_machine.travel(T0 + minutes(32), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert ladder.acknowledge(escalation_of(incident), org.duty.user, via="电话")
        for send in pending_sends:
            send()

    assert local_server.received == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"cancelled"}
    assert not incident.notifications.get().deliveries.filter(inbox_item__isnull=False).exists()


def test_c13_send_that_starts_after_the_acknowledgement_commits_cancels_itself(
        org, local_server, django_capture_on_commit_callbacks):
    """Even before the cancelling UPDATE ran, a send re-reads the ladder under lock first."""
    answer_like_providers(local_server)
    give_channels(org.duty, local_server)
    incident, pending_sends = _breach_without_sending(org, django_capture_on_commit_callbacks)

    with time_machine.travel(T0 + minutes(32), tick=False):
        with django_capture_on_commit_callbacks() as cancelling:  # kept back on purpose
            assert ladder.acknowledge(escalation_of(incident), org.duty.user, via="电话")
        assert len(cancelling) == 1
        for send in pending_sends:
            send()

    assert local_server.received == []
    rows = Delivery.objects.all()
    assert {d.status for d in rows} == {"cancelled"}
    assert incident.timeline.filter(event=Event.NOTIFICATION,
                                    data__status="cancelled").count() == rows.count()


def test_c13_met_obligation_stops_pending_sends(org, local_server,
                                                django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    incident, pending_sends = _breach_without_sending(org, django_capture_on_commit_callbacks)
    from incidents import actions
    with time_machine.travel(T0 + minutes(33), tick=False):
        actions.record_verbal_report(incident, org.duty.user, actions.Step(
            recipient="舆情办 赵干事", note="电话口头汇报"))
        for send in pending_sends:
            send()
    assert local_server.received == []
    assert escalation_of(incident).state == Escalation.State.RESOLVED
