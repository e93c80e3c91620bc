"""One copy's life: retries with backoff, giving up, the person's fallback channel, duplicated
tasks, lost tasks and dead workers — each visible on the incident's timeline."""
from datetime import timedelta

import pytest
import time_machine

from incidents.models import Event
from notifications import delivery
from notifications.models import Delivery, Notification, PersonChannel
from notifications.tasks import attempt_delivery, sweep_deliveries
from tests.incidents.helpers import detect

from tests.support.sweeping import sweep_all

from .test_delivery_support import (T0, answer_like_providers, give_channels, minutes, paths,
                                    sweep_at)

pytestmark = pytest.mark.django_db
BREACH = T0 + minutes(31)


def _breach(org, capture):
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    sweep_at(BREACH, capture)
    return incident


def _sweep_deliveries(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return sweep_deliveries.delay()


def _webhook(org):
    return Delivery.objects.get(person=org.duty, channel_kind="webhook")


def _notes(incident, row):
    return [e.note for e in incident.timeline.filter(event=Event.NOTIFICATION,
                                                     data__delivery=row.pk).order_by("id")]


def test_c02_transient_failure_is_retried_with_backoff_until_sent(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server, failures={"/hooks/duty": [500, 429]})
    give_channels(org.duty, local_server, kinds=("webhook",))
    incident = _breach(org, django_capture_on_commit_callbacks)

    row = _webhook(org)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error == 'HTTP 500: {"error":"planned"}'
    assert row.next_attempt_at == BREACH + timedelta(seconds=30)

    # The retry task's ETA is not honoured in eager mode; the sweep is what sends it here,
    # once the retry time and the sweep's grace have passed.
    _sweep_deliveries(BREACH + timedelta(seconds=60), django_capture_on_commit_callbacks)
    assert _webhook(org).attempts == 1
    _sweep_deliveries(BREACH + timedelta(seconds=91), django_capture_on_commit_callbacks)
    row = _webhook(org)
    assert (row.status, row.attempts) == ("queued", 2)
    assert row.next_attempt_at == BREACH + timedelta(seconds=91 + 60)
    _sweep_deliveries(BREACH + timedelta(seconds=91 + 121), django_capture_on_commit_callbacks)

    row = _webhook(org)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert paths(local_server) == ["/hooks/duty"] * 3
    # One idempotency key for every retry of the copy, so the receiver can fold duplicates.
    assert {r.headers["idempotency-key"] for r in local_server.received} == {row.idempotency_key}
    notes = _notes(incident, row)
    assert len(notes) == 3
    assert "HTTP 500" in notes[0] and "重试（第 1/5 次）" in notes[0]
    assert "HTTP 429" in notes[1] and "重试（第 2/5 次）" in notes[1]
    assert "已发送（第 3 次尝试）" in notes[2]


def test_c02_gives_up_after_the_last_attempt_and_says_so(
        org, local_server, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    answer_like_providers(local_server, failures={"/hooks/duty": 502})
    give_channels(org.duty, local_server, kinds=("webhook",))
    incident = _breach(org, django_capture_on_commit_callbacks)
    _sweep_deliveries(BREACH + minutes(5), django_capture_on_commit_callbacks)
    _sweep_deliveries(BREACH + minutes(10), django_capture_on_commit_callbacks)

    row = _webhook(org)
    assert (row.status, row.attempts) == ("failed", 2)
    assert len(local_server.received) == 2
    [entry] = incident.timeline.filter(event=Event.NOTIFICATION, data__delivery=row.pk,
                                       data__status="failed")
    assert "已放弃（已重试 2 次）" in entry.note and "HTTP 502" in entry.note
    assert entry.data["error"].startswith("HTTP 502")


def test_permanent_failure_moves_on_to_the_persons_fallback_channel(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server, failures={"/hooks/duty": 401})
    org.duty.phone = "13800000000"
    org.duty.save()
    [webhook] = give_channels(org.duty, local_server, kinds=("webhook",))
    PersonChannel.objects.create(
        person=org.duty, kind="sms_gateway", priority=5, fallback=True,
        config={"url": f"{local_server.url}/sms",
                "body_template": '{"to":"{phone}","text":"{text}"}'})
    incident = _breach(org, django_capture_on_commit_callbacks)

    failed, sms = _webhook(org), Delivery.objects.get(channel_kind="sms_gateway")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert (sms.status, sms.attempts) == ("sent", 1)
    assert paths(local_server) == ["/hooks/duty", "/sms"]
    assert local_server.last.json()["to"] == "13800000000"
    assert "紧急口头汇报" in local_server.last.json()["text"]
    webhook.refresh_from_db()
    assert "HTTP 401" in webhook.last_error
    assert any("永久性错误" in note for note in _notes(incident, failed))
    assert "启用备用渠道" in _notes(incident, sms)[0]


def test_fallback_channel_is_not_used_when_an_earlier_channel_reached_the_person(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    give_channels(org.duty, local_server, kinds=("dingtalk",), fallback=True)
    _breach(org, django_capture_on_commit_callbacks)

    held = Delivery.objects.get(channel_kind="dingtalk")
    assert (held.status, held.note) == ("cancelled", "已由其他渠道送达")
    assert paths(local_server) == ["/hooks/duty"]


def test_duplicated_or_redelivered_task_sends_once(org, local_server,
                                                   django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    with time_machine.travel(BREACH, tick=False):
        with django_capture_on_commit_callbacks() as planning:
            sweep_all()
        with django_capture_on_commit_callbacks() as sends:
            planning[0]()
        row = _webhook(org)
        token = str(row.attempt_token)
        assert attempt_delivery.delay(row.pk, token).get() == "sent"
        # The broker redelivers it (acks_late), and the lost-task sweep queued it too.
        assert attempt_delivery.delay(row.pk, token).get() == "stale"
        for send in sends:
            send()

    assert paths(local_server) == ["/hooks/duty"]
    assert _webhook(org).attempts == 1
    assert incident.timeline.filter(event=Event.NOTIFICATION, data__delivery=row.pk).count() == 1


def test_send_whose_record_failed_with_the_database_is_recorded_not_sent_again(
        org, local_server, settings, monkeypatch, django_capture_on_commit_callbacks):
    # Issue 16: PostgreSQL restarted after the webhook accepted the message and before the
    # outcome was written; the copy stayed "sending", its lease ran out and it was sent again.
    from django.db import OperationalError

    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 300
    lost = _lost_sends(org, local_server, django_capture_on_commit_callbacks)
    real, failures = delivery._skip_fallbacks, []

    def database_restarts_once(row):
        if not failures:
            failures.append(row.pk)
            raise OperationalError("terminating connection due to administrator command")
        real(row)

    monkeypatch.setattr(delivery, "_skip_fallbacks", database_restarts_once)
    row = _webhook(org)
    with time_machine.travel(BREACH, tick=False):
        assert attempt_delivery.delay(row.pk, str(row.attempt_token)).get() == "sent"
        for send in lost:  # the inbox copy, and the webhook's own task: already claimed
            send()
    assert failures == [row.pk]
    row = _webhook(org)
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(_notes(row.notification.incident, row)) == 1
    _sweep_deliveries(BREACH + minutes(10), django_capture_on_commit_callbacks)
    assert paths(local_server) == ["/hooks/duty"]


def test_lost_task_is_sent_by_the_sweep(org, local_server, django_capture_on_commit_callbacks):
    _lost_sends(org, local_server, django_capture_on_commit_callbacks)

    report = _sweep_deliveries(BREACH + timedelta(seconds=30), django_capture_on_commit_callbacks)
    assert report.get()["queued"] == 0  # within the grace: its own task may still come
    report = _sweep_deliveries(BREACH + timedelta(seconds=61), django_capture_on_commit_callbacks)
    assert report.get()["queued"] == 2  # the inbox copy and the webhook
    assert _webhook(org).status == "sent"
    assert paths(local_server) == ["/hooks/duty"]


def _lost_sends(org, local_server, capture):
    """Breached, planned, and both copies' tasks lost (the inbox copy and the webhook)."""
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    with time_machine.travel(T0, tick=False):
        detect(org, discovered_at=T0, urgent=True)
    with time_machine.travel(BREACH, tick=False):
        with capture() as planning:
            sweep_all()
        with capture() as lost:
            planning[0]()
    return lost


def _sweep_without_sending(moment, capture):
    """One delivery sweep whose queued tasks are held back: returns them, not yet run."""
    with time_machine.travel(moment, tick=False), capture() as queued:
        delivery.sweep()
    return queued


def test_lost_task_is_queued_once_by_two_sweeps_in_a_row(
        org, local_server, django_capture_on_commit_callbacks):
    # Issue 16: every sweep queued the whole backlog again while the worker worked through it.
    _lost_sends(org, local_server, django_capture_on_commit_callbacks)
    first = _sweep_without_sending(BREACH + timedelta(seconds=61),
                                   django_capture_on_commit_callbacks)
    assert len(first) == 2
    # The next sweeps leave them to the tasks just queued, for one grace period.
    assert _sweep_without_sending(BREACH + timedelta(seconds=66),
                                  django_capture_on_commit_callbacks) == []
    assert _sweep_without_sending(BREACH + timedelta(seconds=120),
                                  django_capture_on_commit_callbacks) == []
    # Those tasks were lost too: the safety net still holds, one grace later.
    again = _sweep_without_sending(BREACH + timedelta(seconds=122),
                                   django_capture_on_commit_callbacks)
    assert len(again) == 2
    for send in again:
        send()
    assert _webhook(org).status == "sent"
    assert paths(local_server) == ["/hooks/duty"]


def test_copy_whose_late_task_ran_is_not_sent_again_by_the_sweeps_task(
        org, local_server, django_capture_on_commit_callbacks):
    lost = _lost_sends(org, local_server, django_capture_on_commit_callbacks)
    requeued = _sweep_without_sending(BREACH + timedelta(seconds=61),
                                      django_capture_on_commit_callbacks)
    with time_machine.travel(BREACH + timedelta(seconds=62), tick=False):
        for send in lost:  # the "lost" tasks were only late: they run first and send
            send()
        assert _webhook(org).status == "sent"
        for send in requeued:  # the sweep's tasks carry the same token: nothing to claim
            send()
    assert paths(local_server) == ["/hooks/duty"]
    assert _webhook(org).attempts == 1
    assert _sweep_without_sending(BREACH + minutes(5), django_capture_on_commit_callbacks) == []


def _backlog(template: Delivery, rows: int, *, status: str, moment) -> None:
    """`rows` copies like `template`, queued (task lost) or sending (worker dead)."""
    Delivery.objects.bulk_create(
        Delivery(notification_id=template.notification_id, unit_id=template.unit_id,
                 person_id=template.person_id, channel_kind=template.channel_kind,
                 person_channel_id=template.person_channel_id,
                 recipient_label=template.recipient_label, status=status,
                 next_attempt_at=moment, claimed_at=moment, created_at=moment,
                 idempotency_key=f"backlog:{status}:{rows}:{i}")
        for i in range(rows))


def test_delivery_sweep_takes_as_many_queries_for_200_lost_copies_as_for_10(
        org, local_server, settings, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 300
    _lost_sends(org, local_server, django_capture_on_commit_callbacks)
    template, counts = _webhook(org), {}
    for rows in (10, 200):
        Delivery.objects.all().delete()
        _backlog(template, rows, status="queued", moment=BREACH)
        _backlog(template, rows, status="sending", moment=BREACH)
        with time_machine.travel(BREACH + minutes(10), tick=False), \
                CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks() as queued:
            report = delivery.sweep()
        assert (len(report.queued), len(report.reclaimed), len(queued)) == (rows, rows, 2 * rows)
        counts[rows] = len(queries.captured_queries)
    assert counts[200] == counts[10], counts


def test_rung_whose_deliveries_were_never_planned_is_planned_by_the_sweep(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("webhook",))
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0, urgent=True)
    with time_machine.travel(BREACH, tick=False), django_capture_on_commit_callbacks():
        sweep_all()  # the process died before its on-commit hook ran
    assert not Notification.objects.exists()

    report = _sweep_deliveries(BREACH + minutes(2), django_capture_on_commit_callbacks)

    assert report.get()["planned"] == 1
    assert Notification.objects.get().incident == incident
    assert paths(local_server) == ["/hooks/duty"]


def test_send_whose_worker_died_is_reclaimed_after_its_lease(
        org, local_server, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_SENDING_LEASE_SECONDS = 300
    answer_like_providers(local_server, failures={"/hooks/duty": [503]})
    give_channels(org.duty, local_server, kinds=("webhook",))
    _breach(org, django_capture_on_commit_callbacks)
    # As if a worker claimed the retry and was killed mid-send.
    Delivery.objects.filter(channel_kind="webhook").update(
        status="sending", claimed_at=BREACH + minutes(1), attempts=2)

    _sweep_deliveries(BREACH + minutes(5), django_capture_on_commit_callbacks)
    assert _webhook(org).status == "sending"
    _sweep_deliveries(BREACH + minutes(7), django_capture_on_commit_callbacks)

    row = _webhook(org)
    assert (row.status, row.attempts) == ("sent", 3)


def test_invalid_stored_configuration_fails_the_copy_with_its_reason(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    [channel] = give_channels(org.duty, local_server, kinds=("webhook",))
    # Written around model validation, as a bad data migration might.
    PersonChannel.objects.filter(pk=channel.pk).update(config={"url": "ftp://x", "secret": "s"})
    _breach(org, django_capture_on_commit_callbacks)

    row = _webhook(org)
    assert row.status == "failed"
    assert "渠道配置无效" in row.last_error and "absolute http(s) URL" in row.last_error
    assert local_server.received == []


def test_backoff_doubles_and_is_capped(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 100
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
