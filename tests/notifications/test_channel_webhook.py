import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.webhook import WebhookChannel, verify_webhook_signature

from .conftest import field_errors

SECRET = "whsec-0123456789abcdef"


def hook(server, **extra):
    return WebhookChannel({"url": f"{server.url}/hooks/opinionops", "secret": SECRET,
                           "timeout": 0.2, **extra})


def test_signed_json_carries_structured_fields_and_idempotency_key(local_server, message,
                                                                   frozen_now):
    local_server.reply(status=202, text="queued")

    result = hook(local_server, headers={"Authorization": "Bearer t"}).send(
        message, "duty-officer-7", "delivery-42")

    request = local_server.last
    timestamp = request.headers["x-opinionops-timestamp"]
    assert timestamp == str(int(frozen_now.timestamp()))
    expected = hmac.new(SECRET.encode(), f"{timestamp}.{request.body.decode()}".encode(),
                        hashlib.sha256).hexdigest()
    assert request.headers["x-opinionops-signature"] == f"sha256={expected}"
    assert request.headers["idempotency-key"] == "delivery-42"
    assert request.headers["authorization"] == "Bearer t"
    assert request.json() == {
        "event": "opinionops.notification",
        "idempotency_key": "delivery-42",
        "recipient": "duty-officer-7",
        "title": "首报逾期",
        "incident": {"id": "INC-2026-0042", "title": "某区网民聚集事件"},
        "deadline": {"label": "首次报告", "due_at": "2026-11-23T06:30:00+00:00",
                     "due_display": "2026-11-23 14:30", "overdue_minutes": 15},
        "clause": "C02",
        "escalation_level": 2,
        "action_url": "https://ops.example.gov.cn/incidents/42/",
        "ack_url": "https://ops.example.gov.cn/ack/abc123/",
        "body": "请立即上报。",
    }
    assert result.response == "queued"


def test_receiver_helper_accepts_what_the_channel_sent(local_server, message, frozen_now):
    hook(local_server).send(message, None, "delivery-42")
    request = local_server.last
    headers = request.headers

    assert verify_webhook_signature(SECRET, headers["x-opinionops-timestamp"], request.body,
                                    headers["x-opinionops-signature"], now=frozen_now)
    assert not verify_webhook_signature("another-secret-value", headers["x-opinionops-timestamp"],
                                        request.body, headers["x-opinionops-signature"],
                                        now=frozen_now)
    tampered = request.body.replace("C02".encode(), b"C03")
    assert not verify_webhook_signature(SECRET, headers["x-opinionops-timestamp"], tampered,
                                        headers["x-opinionops-signature"], now=frozen_now)


def test_receiver_helper_rejects_replays_outside_the_window(frozen_now):
    body = json.dumps({"a": 1}).encode()
    sent_at = int(frozen_now.timestamp())
    signature = "sha256=" + hmac.new(SECRET.encode(), f"{sent_at}.".encode() + body,
                                     hashlib.sha256).hexdigest()

    assert verify_webhook_signature(SECRET, sent_at, body, signature,
                                    now=frozen_now + timedelta(seconds=300))
    assert not verify_webhook_signature(SECRET, sent_at, body, signature,
                                        now=frozen_now + timedelta(seconds=301))
    assert not verify_webhook_signature(SECRET, sent_at, body, signature,
                                        now=frozen_now - timedelta(minutes=10))
    assert not verify_webhook_signature(SECRET, "not-a-number", body, signature, now=frozen_now)


def test_server_error_and_429_are_transient(local_server, message):
    for status in (500, 429):
        local_server.reply(status=status, text="try later")
        with pytest.raises(TransportError) as excinfo:
            hook(local_server).send(message, None, "delivery-1")
        assert excinfo.value.permanent is False
        assert excinfo.value.response == "try later"


def test_client_error_is_permanent(local_server, message):
    local_server.reply(status=401, text="bad signature")

    with pytest.raises(TransportError) as excinfo:
        hook(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True
    assert "bad signature" in str(excinfo.value)


def test_slow_receiver_times_out_as_transient(local_server, message):
    local_server.reply(text="ok", delay=2.0)

    with pytest.raises(TransportError) as excinfo:
        hook(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False


def test_redirect_is_not_followed(local_server, message):
    local_server.reply(status=302, text="")

    with pytest.raises(TransportError) as excinfo:
        hook(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True
    assert len(local_server.received) == 1


def test_bad_configuration_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        WebhookChannel.validate_config({"url": "ftp://example.com/x", "secret": "short",
                                        "headers": ["x"]})

    errors = field_errors(excinfo)
    assert "absolute http(s) URL" in errors["url"]
    assert "at least 16 characters" in errors["secret"]
    assert "mapping" in errors["headers"]

    with pytest.raises(ValidationError) as excinfo:
        WebhookChannel.validate_config({"url": "https://example.com/x"})
    assert "required" in field_errors(excinfo)["secret"]
