"""How the API answers when an action refuses: one mapping from ActionError to HTTP.

Set as REST_FRAMEWORK["EXCEPTION_HANDLER"] = "incidents.api.errors.exception_handler".
Every action runs in one transaction, so by the time one of these reaches the handler the
database holds nothing of the refused step.
"""
import django_fsm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opinion_ops.errors import InvalidInput, NotPermitted, StaleRevision, TransitionNotAllowed
from incidents.models import Incident


class IdempotencyKeyReused(APIException):
    """The Idempotency-Key was already used by this user for a different request body."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("Idempotency-Key 已用于另一份不同的请求内容，请使用新的 Idempotency-Key")
    default_code = "idempotency_key_reused"


def _current_state(context) -> tuple[str | None, int | None]:
    """State and revision of the incident the refused request addressed, read after rollback."""
    view = context.get("view")
    pk = getattr(view, "kwargs", {}).get("pk") if view is not None else None
    if pk is None or getattr(view, "basename", None) != "incident":
        return None, None
    row = Incident.objects.filter(pk=pk).values("state", "revision").first()
    return (row["state"], row["revision"]) if row else (None, None)


def exception_handler(exc, context):
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": str(exc), "code": "transition_not_allowed",
                         "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleRevision):
        state, revision = _current_state(context)
        current = exc.actual if exc.actual >= 0 else revision
        return Response({"detail": str(exc), "code": "stale_revision",
                         "expected_revision": exc.expected, "current_revision": current},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotPermitted):
        return Response({"detail": str(exc), "code": "permission_denied"},
                        status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InvalidInput):
        return Response({field: [str(message)] for field, message in exc.errors.items()},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (django_fsm.ConcurrentTransition, django_fsm.TransitionNotAllowed)):
        state, revision = _current_state(context)
        return Response({"detail": _("事件已被他人修改，请刷新后重试"), "code": "concurrent_transition",
                         "state": state, "current_revision": revision},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
