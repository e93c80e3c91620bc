"""Tokens listed, issued and revoked by their owner, and by the office for anyone:
GET/POST /api/v1/tokens/, POST /api/v1/tokens/{id}/revoke/, and the page /tokens/."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents import verbs as verb_registry
from opinion_ops.api import APIViewSet
from opinion_ops.inputs import ID_PATH_REGEX
from organisation import policy

from accounts import tokens
from accounts.models import ApiToken


def visible_tokens(user):
    qs = ApiToken.objects.select_related("user")
    return qs if policy.is_office(user) else qs.filter(user=user)


def own_verbs(user) -> set[str]:
    return {name for name, verb in verb_registry.REGISTRY.items()
            if user.has_perm(f"incidents.{verb.permission}")}


class TokenSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="user.username", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "owner", "last4", "verbs", "created_at", "expires_at",
                  "last_used_at", "revoked_at", "is_active"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    verbs = serializers.ListField(child=serializers.CharField(max_length=50), required=False,
                                  max_length=100, default=list)
    days = serializers.IntegerField(min_value=1, max_value=366, required=False, default=90)

    def validate_verbs(self, value):
        allowed = own_verbs(self.context["request"].user)
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise serializers.ValidationError(
                _("不是您的角色可执行的操作：%s") % "、".join(unknown))
        return value


class IssuedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True)

    class Meta(TokenSerializer.Meta):
        fields = TokenSerializer.Meta.fields + ["key"]
        read_only_fields = fields


class TokenViewSet(APIViewSet, viewsets.mixins.ListModelMixin,
                   viewsets.mixins.RetrieveModelMixin):
    serializer_class = TokenSerializer
    lookup_value_regex = ID_PATH_REGEX

    def get_queryset(self):
        return visible_tokens(self.request.user)

    def create(self, request):
        payload = TokenCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        issued = tokens.issue(request.user, **payload.validated_data)
        data = TokenSerializer(issued.token).data
        data["key"] = issued.key  # the only time it is shown
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        tokens.revoke(token, f"revoked by {request.user.username}")
        token.refresh_from_db()
        return Response(TokenSerializer(token).data)

    def get_serializer_class(self):
        return TokenCreateSerializer if self.action == "create" else TokenSerializer


@login_required
def token_page(request):
    issued_key = None
    errors = {}
    if request.method == "POST":
        if "revoke" in request.POST:
            pk = request.POST.get("revoke", "")
            token = get_object_or_404(visible_tokens(request.user),
                                      pk=int(pk) if pk.isdigit() and len(pk) < 18 else 0)
            tokens.revoke(token, f"revoked by {request.user.username}")
            return redirect("tokens")
        payload = TokenCreateSerializer(data={
            "name": request.POST.get("name", ""), "days": request.POST.get("days") or 90,
            "verbs": request.POST.getlist("verbs")}, context={"request": request})
        if payload.is_valid():
            issued_key = tokens.issue(request.user, **payload.validated_data).key
        else:
            errors = payload.errors
    return render(request, "registration/tokens.html", {
        "tokens": visible_tokens(request.user)[:200], "issued_key": issued_key,
        "errors": errors, "verbs": sorted(own_verbs(request.user))},
        status=400 if errors else 200)
