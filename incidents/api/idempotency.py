"""Idempotent incident creation: a monitoring platform's retried POST makes one incident.

The key row is written in the transaction that creates the incident, and the unique constraint
(user, key) decides a race between two identical POSTs: the loser's transaction rolls back
whole and it answers with the winner's incident.
"""
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from incidents.models import IdempotencyKey, Incident

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length


def key_from(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError({HEADER: [_("Idempotency-Key 须为 1–%d 个字符") % MAX_KEY_LENGTH]})
    return key


def request_hash(data) -> str:
    """sha256 of the body as canonical JSON (sorted keys, no insignificant whitespace), so the
    same fields sent in another order or layout count as the same request."""
    if hasattr(data, "lists"):  # a form-encoded QueryDict
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class KeyReused(Exception):
    """The key was used before with a different body."""


def earlier_incident(user, key: str, digest: str) -> Incident | None:
    """The incident an earlier request with this key created, or None if the key is new."""
    row = IdempotencyKey.objects.filter(user=user, key=key).select_related("incident").first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise KeyReused(key)
    return row.incident


def create_once(user, key: str, digest: str, create) -> tuple[Incident, bool]:
    """Run `create()` and store the key with its incident in one transaction.

    Returns (incident, created); created is False when a concurrent request with the same key
    committed first and its incident is returned instead.
    """
    try:
        with transaction.atomic():
            incident = create()
            IdempotencyKey.objects.create(user=user, key=key, request_hash=digest,
                                          incident=incident)
            return incident, True
    except IntegrityError:
        incident = earlier_incident(user, key, digest)
        if incident is None:
            raise
        return incident, False
