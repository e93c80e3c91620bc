"""Refusals particular to the incident API (the general mapping is opinion_ops.api)."""
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException


class IdempotencyKeyReused(APIException):
    """The Idempotency-Key was already used by this user for a different request body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("Idempotency-Key 已用于另一份不同的请求内容，请使用新的 Idempotency-Key")
    default_code = "idempotency_key_reused"
