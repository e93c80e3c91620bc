"""Tokens listed, issued and revoked by their owner, and listed and revoked by the office for
anyone: GET/POST /api/v1/tokens/, POST /api/v1/tokens/{id}/revoke/, and the page /tokens/.

A token's key is in the answer to its creation and nowhere else (never in a list, a page
reloaded, the admin or a log line). A token cannot issue tokens: only a person who logged in
can, so a leaked token cannot outlive its revocation by minting a fresh one.
"""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from incidents import verbs as verb_registry
from opinion_ops.api import APIViewSet
from organisation import policy

from . import tokens
from .models import ApiToken

MAX_DAYS = 366


def visible_tokens(user):
    """Everyone's tokens for the office, one's own for everybody else."""
    rows = ApiToken.objects.select_related("user")
    return rows if policy.is_office(user) else rows.filter(user=user)


def own_verbs(user) -> set[str]:
    """The verbs a token of `user` may be scoped to: those of the user's roles."""
    names = {name for name, verb in verb_registry.REGISTRY.items()
             if user.has_perm(f"incidents.{verb.permission}")}
    if user.has_perm(f"incidents.{verb_registry.DETECT_PERMISSION}"):
        names.add(tokens.DETECT)
    return names


class TokenSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="user.username", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "owner", "last4", "verbs", "created_at", "expires_at",
                  "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class IssuedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown in this answer only.")

    class Meta(TokenSerializer.Meta):
        fields = TokenSerializer.Meta.fields + ["key"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    verbs = serializers.ListField(child=serializers.CharField(max_length=50), required=False,
                                  max_length=100, default=list)
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, required=False)

    def validate_verbs(self, value):
        unknown = sorted(set(value) - own_verbs(self.context["request"].user))
        if unknown:
            raise serializers.ValidationError(
                _("不是您的角色可执行的操作：%s") % "、".join(unknown))
        return value


def issued_by_a_person(request) -> None:
    if isinstance(request.auth, ApiToken):
        raise PermissionDenied(_("不能用令牌创建令牌：请登录后在“API 令牌”页面创建"))


@extend_schema_view(
    list=extend_schema(summary="List API tokens (one's own; the office: everyone's)"),
    retrieve=extend_schema(summary="An API token (never its key)"),
)
class TokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = TokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return visible_tokens(self.request.user)

    @extend_schema(summary="Issue an API token for oneself; its key is in this answer only",
                   request=TokenCreateSerializer,
                   responses={201: IssuedSerializer, 400: OpenApiResponse(),
                              403: OpenApiResponse(description="Requested with a token")})
    def create(self, request):
        issued_by_a_person(request)
        payload = TokenCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        issued = tokens.issue(request.user, **payload.validated_data)
        data = {**TokenSerializer(issued.token).data, "key": issued.key}
        response = Response(data, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response

    @extend_schema(summary="Revoke an API token (its owner or the office)", request=None,
                   responses={200: TokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        tokens.revoke(token, f"revoked by {request.user.username}")
        token.refresh_from_db()
        return Response(TokenSerializer(token).data)


def _revoke_from_page(request):
    pk = request.POST.get("revoke", "")
    token = get_object_or_404(visible_tokens(request.user),
                              pk=int(pk) if pk.isdigit() and len(pk) < 18 else 0)
    tokens.revoke(token, f"revoked by {request.user.username}")
    return redirect("tokens")


@login_required
def token_page(request):
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke_from_page(request)
    issued_key, errors = None, {}
    if request.method == "POST":
        payload = TokenCreateSerializer(data={
            "name": request.POST.get("name", ""),
            "days": request.POST.get("days") or settings.API_TOKEN_DEFAULT_DAYS,
            "verbs": request.POST.getlist("verbs")}, context={"request": request})
        if payload.is_valid():
            issued_key = tokens.issue(request.user, **payload.validated_data).key
        else:
            errors = payload.errors
    response = render(request, "registration/tokens.html", {
        "tokens": visible_tokens(request.user)[:200], "issued_key": issued_key,
        "errors": errors, "verbs": sorted(own_verbs(request.user)),
        "default_days": settings.API_TOKEN_DEFAULT_DAYS, "max_days": MAX_DAYS,
        "office": policy.is_office(request.user)}, status=400 if errors else 200)
    add_never_cache_headers(response)  # the one answer that shows a key is never cached
    return response
