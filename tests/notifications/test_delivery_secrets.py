"""No secret in a record (C24): a robot whose URL carries its token fails, and every text the
system kept about it — delivery rows, the channel's last error, the append-only timeline, the
notification, the log — names the failure without the token, the timestamp or the signature.

The scan reads every text and JSON column of every model, so a new place that stores error text
is covered without changing this test. The only columns allowed to hold the token are the
channel configurations themselves, and the scan proves it reads the database by finding it there.
"""
import json
import logging
import socket
from urllib.parse import unquote_plus

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import models

from incidents.models import Event
from incidents.timeline import record_event
from notifications import delivery
from notifications.channels import dingtalk
from notifications.models import (ChannelConfig, Delivery, NotifyEvent, NotifyRule,
                                  PersonChannel)
from notifications.tasks import sweep_deliveries
from opinion_ops.redaction import MARKER, RedactingFilter, redact
from tests.incidents.helpers import detect, report

from .conftest import Reply
from .test_delivery_support import T0, minutes

pytestmark = pytest.mark.django_db

TOKEN = "SECRETTOKEN"
SECRET = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f0"
REPORTED_AT = T0 + minutes(5)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def echo_the_url(status, errcode=None):
    """A robot (or a proxy in front of it) that repeats the URL it was called with."""
    def respond(request):
        url = f"{request.path}?{request.raw_query}"
        if errcode is None:
            body = f"<h1>500 Internal Server Error</h1><p>POST {url} failed</p>"
        else:
            body = json.dumps({"errcode": errcode, "errmsg": f"sign not match, url: {url}"})
        return Reply(status, body.encode("utf-8"))
    return respond


def robot_config(base: str) -> dict:
    return {"url": f"{base}/robot/send?access_token={TOKEN}", "base_url": f"{base}/robot/send",
            "secret": SECRET, "timeout": 2}


def secrets_sent(frozen_now) -> list[str]:
    """The token, the signing secret, and the timestamp and sign every attempt put in the URL
    (the channel clock is pinned, so each attempt signs alike), raw and URL-encoded."""
    timestamp = int(frozen_now.timestamp() * 1000)
    sign = dingtalk.sign(SECRET, timestamp)
    return [TOKEN, SECRET, f"timestamp={timestamp}", sign, unquote_plus(sign)]


def stored_texts():
    """(model.column, text) for every text and JSON value of every row in the database."""
    for model in apps.get_models(include_auto_created=True):
        columns = [f for f in model._meta.concrete_fields
                   if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not columns:
            continue
        for row in model._base_manager.values_list(*(f.attname for f in columns)):
            for column, value in zip(columns, row):
                if value in (None, "", {}, []):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                yield f"{model._meta.label}.{column.name}", text


def places_holding(secrets) -> set[tuple[str, str]]:
    found = set()
    for place, text in stored_texts():
        for secret in secrets:
            if secret.lower() in text.lower():
                found.add((place, secret))
    return found


@pytest.fixture
def redacted_caplog(caplog):
    """caplog at DEBUG (urllib3 logs each request's URL there), through the filters the
    LOGGING setting gives its handlers, as the console would print it."""
    names = settings.LOGGING["handlers"]
    configured = [h for h in logging.getLogger().handlers if h.name in names]
    filters = [f for h in configured for f in h.filters]
    assert any(isinstance(f, RedactingFilter) for f in filters)
    for log_filter in filters:
        caplog.handler.addFilter(log_filter)
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def department_robot(org):
    """The department is told when an incident is reported (C01), by its group robot and by
    its handler's own robot, both with a token and a signing secret in their configuration."""
    rule = NotifyRule.objects.create(event=NotifyEvent.REPORTED, clause="C01")
    rule.units.set([org.department])

    def configure(base: str):
        ChannelConfig.objects.create(name="教务处群机器人", kind="dingtalk", unit=org.department,
                                     config=robot_config(base))
        PersonChannel.objects.create(person=org.handler, kind="dingtalk",
                                     config=robot_config(base), priority=1)
    return configure


def _report_and_retry(org, capture):
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0)
    with time_machine.travel(REPORTED_AT, tick=False), capture(execute=True):
        report(org, incident)
    # The second and last attempt, once the retry is due and the sweep's grace has passed.
    with time_machine.travel(REPORTED_AT + minutes(2), tick=False), capture(execute=True):
        sweep_deliveries.delay()
    return incident


@pytest.mark.parametrize("failure", ["connection_refused", "http_500_echoing_the_url",
                                     "rejected_sign_echoing_the_url"])
def test_c24_delivery_to_a_robot_url_with_a_token_fails_and_no_stored_text_contains_the_token(
        failure, org, department_robot, local_server, frozen_now, settings, redacted_caplog,
        django_capture_on_commit_callbacks):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    if failure == "connection_refused":
        department_robot(f"http://127.0.0.1:{closed_port()}")
    else:
        department_robot(local_server.url)
        local_server.responder = (echo_the_url(500) if failure == "http_500_echoing_the_url"
                                  else echo_the_url(200, errcode=310000))

    incident = _report_and_retry(org, django_capture_on_commit_callbacks)

    # The robots failed, and the record says why, naming the URL with its secrets taken out.
    robots = list(Delivery.objects.filter(channel_kind="dingtalk"))
    assert len(robots) == 2 and {row.status for row in robots} == {"failed"}
    for row in robots:
        assert f"access_token={MARKER}" in row.last_error
        assert f"sign={MARKER}" in row.last_error
    notes = [entry.note for entry in incident.timeline.filter(event=Event.NOTIFICATION,
                                                              data__status="failed")]
    assert len(notes) == 2 and all(f"access_token={MARKER}" in note for note in notes)
    if failure == "rejected_sign_echoing_the_url":
        # A permanent failure is kept on the channel itself, for the office to fix.
        sources = [ChannelConfig.objects.get(), PersonChannel.objects.get()]
        assert all(f"access_token={MARKER}" in source.last_error for source in sources)
    if failure != "connection_refused":
        # The secrets did go out on the wire, so there was something to leak.
        assert {r.query["access_token"] for r in local_server.received} == {TOKEN}
        assert f"access_token={MARKER}" in redacted_caplog.text  # urllib3's request line

    secrets = secrets_sent(frozen_now)
    found = places_holding(secrets)
    # Not even the channels' own columns hold it: their credentials are encrypted at rest.
    assert found == set()
    # The scan does read what was stored: it reads the channels' sealed configuration, which
    # opens to the token, and it read the delivery rows, the timeline and the notification.
    stored = dict(stored_texts())
    assert '"url": "enc:' in stored["notifications.ChannelConfig.config"]
    assert TOKEN in ChannelConfig.objects.get().plain_config["url"]
    assert {place for place, _ in stored_texts()} >= {
        "notifications.Delivery.last_error", "notifications.Delivery.recipient_label",
        "incidents.TimelineEntry.note", "incidents.TimelineEntry.recipient",
        "incidents.TimelineEntry.data", "notifications.Notification.title"}
    logged = redacted_caplog.text + "".join(r.getMessage() for r in redacted_caplog.records)
    assert not [s for s in secrets if s.lower() in logged.lower()]


def test_c24_error_text_from_outside_a_channel_is_redacted_where_it_is_written(
        org, department_robot, local_server, frozen_now, django_capture_on_commit_callbacks):
    """The writers redact too (the last line of defence), for error text that never went
    through a channel's TransportError: the delivery row, the channel's last error and the
    timeline entry."""
    department_robot(local_server.url)
    with time_machine.travel(T0, tick=False):
        incident = detect(org, discovered_at=T0)
    with time_machine.travel(REPORTED_AT, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        report(org, incident)
    row = Delivery.objects.get(channel_kind="dingtalk", channel_config__isnull=False)
    raw = f"proxy refused POST {row.channel_config.plain_config['url']}&timestamp=17&sign=c2lnbg%3D%3D"

    with time_machine.travel(REPORTED_AT + minutes(1), tick=False):
        delivery.give_up(row, row.notification, raw, permanent=True, response=raw)
        record_event(incident, Event.NOTE, recipient=f"robot {raw}", note=raw,
                     data={"error": raw, "attempts": [{"url": raw}], "sign": "c2lnbg=="})

    row.refresh_from_db()
    assert row.status == "failed" and f"access_token={MARKER}" in row.last_error
    assert f"access_token={MARKER}" in ChannelConfig.objects.get().last_error
    entry = incident.timeline.get(event=Event.NOTE)
    assert entry.data == {"error": redact(raw), "attempts": [{"url": redact(raw)}],
                          "sign": MARKER}
    found = places_holding([TOKEN, "c2lnbg"])
    assert found == set()
