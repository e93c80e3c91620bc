"""Issuing, checking and revoking API tokens (accounts.models.ApiToken).

The plain key exists only in the return value of issue(): it is shown once and never again.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import authentication, exceptions, permissions

from .models import ApiToken, digest

PREFIX = "oo_"
# The pseudo-verb of logging a new incident (POST /api/v1/incidents/, incidents.verbs.DETECT_…).
DETECT = "detect"


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    key: str  # shown to the person once


def issue(user, *, name: str, verbs=(), days: int | None = None) -> Issued:
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    key = PREFIX + secrets.token_hex(24)  # 192 bits, [0-9a-f_] only
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_digest=digest(key), last4=key[-4:],
        verbs=sorted(set(verbs)), expires_at=timezone.now() + timedelta(days=days))
    return Issued(token, key)


def revoke(token: ApiToken, reason: str) -> bool:
    """False when it was already revoked (nothing changes)."""
    return bool(ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True)
                .update(revoked_at=timezone.now(), revoked_reason=reason[:100]))


def revoke_all(user, reason: str) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:100])


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` (the header clients already send), looked up by digest.
    Unknown, revoked and expired keys are all 401."""

    def authenticate_credentials(self, key):
        token = (ApiToken.objects.select_related("user")
                 .filter(key_digest=digest(key)).first())
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销"))
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用"))
        # At most one write a minute per token, not one per request (a monitoring tool's rate).
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate(self, request):
        # The scope is checked here too, not only in TokenScope, because some viewsets name
        # their own permission classes; a write outside the scope is 403 wherever it lands.
        result = super().authenticate(request)
        if result is not None and not in_scope(result[1], request):
            raise exceptions.PermissionDenied(TokenScope.message)
        return result


class TokenScope(permissions.BasePermission):
    """A token scoped to some verbs reads what its owner reads and writes only through those
    verbs (each verb's route is named after it, incidents.api.views). Sessions and unscoped
    tokens are not limited here; the owner's role and unit still decide everything else."""

    message = gettext_lazy("该令牌无权执行此操作")

    def has_permission(self, request, view):
        return in_scope(request.auth, request)


def in_scope(token, request) -> bool:
    """Whether `token` may make this request: reads always; writes only on the routes of its
    verbs, `incident-<verb>` (incidents.api.urls names the viewset "incident"), and "detect"
    on the incident list. Exact names: a token for "report" may not "verbal-report"."""
    if not isinstance(token, ApiToken) or not token.verbs:
        return True
    if request.method in permissions.SAFE_METHODS:
        return True
    django_request = getattr(request, "_request", request)
    match = getattr(django_request, "resolver_match", None)
    url_name = (match.url_name or "") if match else ""
    allowed = {"incident-list" if verb == DETECT else f"incident-{verb}" for verb in token.verbs}
    return url_name in allowed
