"""Who looked at what: every page an auditor opens and every export anyone makes is logged
(AccessLog). The middleware logs auditors' requests; an export view logs itself, for anyone,
and marks the request so that it is logged once."""
import rules
from django.utils import timezone

from opinion_ops.redaction import redact
from organisation import roles

from .models import AccessLog

EXPORT_FORMATS = ("csv", "xlsx", "pdf")


# The policy's own predicate: it caches the user's groups on the user, so a request whose
# view already asked the access policy costs no query more.
_in_auditor_group = rules.is_group_member(roles.AUDITOR)


def is_auditor(user) -> bool:
    return bool(user and user.is_authenticated and _in_auditor_group(user))


def _kind(request) -> str:
    if request.GET.get("format") in EXPORT_FORMATS or "/download" in request.path:
        return AccessLog.Kind.EXPORT
    return AccessLog.Kind.API if request.path.startswith("/api/") else AccessLog.Kind.PAGE


def _log(request, kind: str, status_code: int | None) -> None:
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    AccessLog.objects.create(
        user=request.user, at=timezone.now(), kind=kind, method=request.method,
        path=redact(request.path)[:500], query=redact(request.META.get("QUERY_STRING", "")),
        status_code=status_code)
    request._audit_access_logged = True


def log_export(request, status_code: int = 200) -> None:
    _log(request, AccessLog.Kind.EXPORT, status_code)


class AccessLogMiddleware:
    """Logs every request an auditor makes (pages, API reads, downloads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if not getattr(request, "_audit_access_logged", False) and is_auditor(user) \
                and not request.path.startswith(("/static/", "/favicon")):
            _log(request, _kind(request), response.status_code)
        return response
