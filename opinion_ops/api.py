"""The API's conventions, used by every app's viewsets: authentication, pagination, one clock
per response, and one mapping from an action's refusal to an HTTP answer.

REST_FRAMEWORK["EXCEPTION_HANDLER"] = "opinion_ops.api.exception_handler". Every action runs
in one transaction, so by the time a refusal reaches the handler nothing of it was stored.
"""
import django_fsm
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.tokens import ApiTokenAuthentication, TokenScope

from .durations import MINUTE, span
from .errors import InvalidInput, NotPermitted, StaleRevision, TransitionNotAllowed
from .inputs import ID_PATH_REGEX


class Pagination(PageNumberPagination):
    """?page=N, and ?page_size= up to 200 for a monitoring platform's bulk reads."""

    page_size_query_param = "page_size"
    max_page_size = 200


class APIViewSet(viewsets.GenericViewSet):
    """The base of every viewset under /api/v1/."""

    # Token first, so a machine client without a valid token is told 401 with WWW-Authenticate.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScope]
    pagination_class = Pagination
    # An id in the path is a number that fits a BIGINT; anything else is no record (404).
    lookup_value_regex = ID_PATH_REGEX

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def refused_state(self) -> tuple[str | None, int | None]:
        """State and revision of the record a refused request addressed, read after the
        rollback; viewsets of versioned records override it."""
        return None, None


def _refused_state(context) -> tuple[str | None, int | None]:
    view = context.get("view")
    if isinstance(view, APIViewSet):
        return view.refused_state()
    return None, None


def throttled_detail(wait: int | None) -> str:
    """A 429's message in the user's language, with the wait said as the pages say a span
    (请求过于频繁，请在46秒后重试), not DRF's English. A wait of a minute or more is said in
    whole minutes rounded up, so the message never invites a retry before Retry-After."""
    if wait is None:
        return _("请求过于频繁，请稍后重试。")
    said = span(wait, seconds_shown=True) if wait < MINUTE else span(-(-wait // MINUTE) * MINUTE)
    return _("请求过于频繁，请在%(wait)s后重试。") % {"wait": said}


def exception_handler(exc, context):
    if isinstance(exc, Throttled):
        # DRF's handler still answers it: the same 429 and Retry-After (exc.wait, rounded up).
        exc.detail = ErrorDetail(throttled_detail(exc.wait), code="throttled")
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": str(exc), "code": "transition_not_allowed",
                         "state": exc.state}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, StaleRevision):
        _state, revision = _refused_state(context)
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
        state, revision = _refused_state(context)
        return Response({"detail": _("事件已被他人修改，请刷新后重试"), "code": "concurrent_transition",
                         "state": state, "current_revision": revision},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """handler404: under /api/ a path that names no route (an id that is not a number, say)
    is answered like any other missing record, in JSON; elsewhere Django's own page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return page_not_found(request, exception)
