"""A generic signed webhook, for systems of our own or of a partner office.

The receiver gets the message as structured JSON plus three headers:
  X-OpinionOps-Timestamp   unix seconds when it was sent
  X-OpinionOps-Signature   sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" keyed with the secret>
  Idempotency-Key          the same value on every retry of one delivery
and can check them with verify_webhook_signature().
"""
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import urlsplit

from notifications.channels import clock, http
from notifications.channels.base import (Channel, ConfigErrors, SendResult, read_config,
                                         truncate)
from notifications.message import Message

EVENT = "opinionops.notification"
MIN_SECRET_LENGTH = 16


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_webhook_signature(secret: str, timestamp: int | str, body: bytes | str,
                             signature_header: str, now: datetime, window: int = 300) -> bool:
    """True when the signature matches and the timestamp is within `window` seconds of `now`.

    The window bounds how long a captured request can be replayed; receivers should also
    drop repeated Idempotency-Key values inside it.
    """
    try:
        sent_at = int(str(timestamp))
    except ValueError:
        return False
    if abs(now.timestamp() - sent_at) > window:
        return False
    if isinstance(body, str):
        body = body.encode("utf-8")
    expected = signature(secret, sent_at, body)
    return hmac.compare_digest(expected, signature_header or "")


def render_payload(message: Message, recipient: str | None, idempotency_key: str) -> dict:
    return {
        "event": EVENT,
        "idempotency_key": idempotency_key,
        "recipient": recipient,
        "title": message.title,
        "incident": {"id": message.incident_id, "title": message.incident_title},
        "deadline": {
            "label": message.deadline_label,
            "due_at": message.due_at.isoformat(),
            "due_display": message.due_display(),
            "overdue_minutes": message.overdue_minutes,
        },
        "clause": message.clause,
        "escalation_level": message.escalation_level,
        "action_url": message.action_url,
        "ack_url": message.ack_url,
        "body": message.body,
    }


class WebhookChannel(Channel):
    kind = "webhook"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, required=["url", "secret"], optional=["headers"])
        url = clean["url"]
        if url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors.add("url", f"Webhook URL must be an absolute http(s) URL, got {url!r}.")
        if clean["secret"] and len(clean["secret"]) < MIN_SECRET_LENGTH:
            errors.add("secret", f"Secret must be at least {MIN_SECRET_LENGTH} characters.")
        headers = clean["headers"] or {}
        if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            errors.add("headers", "Headers must be a mapping of header names to strings.")
        clean["headers"] = headers
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        payload = render_payload(message, recipient, idempotency_key)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = int(clock.now().timestamp())
        headers = {
            **self.config["headers"],
            "Content-Type": "application/json; charset=utf-8",
            "X-OpinionOps-Timestamp": str(timestamp),
            "X-OpinionOps-Signature": signature(self.config["secret"], timestamp, body),
            "Idempotency-Key": idempotency_key,
        }
        response = http.request("POST", self.config["url"], timeout=self.timeout,
                                headers=headers, data=body)
        http.raise_for_status(response)
        return SendResult(response=truncate(response.text) or f"HTTP {response.status_code}",
                          status=response.status_code)
