"""`/api/v1/intake/leads/`: leads for platforms with an API, and the lead verbs.

    GET  /api/v1/intake/leads/?source=<id>&since=<ISO time>&state=new   (newest first)
    POST /api/v1/intake/leads/                 one lead or a list (the API source's token)
    POST /api/v1/intake/leads/{id}/open-incident/ | attach/ | dismiss/

Reads are scoped by the access policy (intake.scoping): a list filters, a detail answers 404.
"""
import json

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.response import Response

from accounts.client_address import client_address
from incidents import selectors
from incidents.actions.judgement import HEAT_INDEX_LIMIT
from opinion_ops.api import APIViewSet
from opinion_ops.errors import InvalidInput
from opinion_ops.inputs import INT_MAX

from . import actions, scoping
from .links import Item, Metrics
from .models import Lead, SourceKind
from .receiving import ingest, log_refusal, push_rate_exceeded


class LeadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lead
        fields = ["id", "source", "title", "url", "received_at", "state", "incident",
                  "platform", "author", "published_at", "excerpt", "unit", "assignee",
                  "matched", "times_seen", "last_seen_at", "clicks", "comments", "reposts",
                  "mainstream_sites", "heat_index", "dismiss_reason"]
        read_only_fields = fields


class MetricsPayload(serializers.Serializer):
    clicks = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False,
                                      default=0)
    comments = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False,
                                        default=0)
    reposts = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False,
                                       default=0)
    mainstream_sites = serializers.IntegerField(min_value=0, max_value=INT_MAX, required=False,
                                                default=0)
    # Bounded as the incident's snapshot bounds it, so an attached lead's figure always fits.
    heat_index = serializers.DecimalField(max_digits=10, decimal_places=2, required=False,
                                          allow_null=True, default=None, min_value=0,
                                          max_value=HEAT_INDEX_LIMIT)
    observed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class LeadPayload(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")
    platform = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    author = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    excerpt = serializers.CharField(required=False, allow_blank=True, default="")
    metrics = MetricsPayload(required=False, allow_null=True, default=None)

    def validate_published_at(self, value):
        if value is not None and value > timezone.now():
            raise serializers.ValidationError(_("发布时间不能晚于当前时间"))
        return value


def _item(data: dict) -> Item:
    metrics = Metrics(**data["metrics"]) if data.get("metrics") else None
    return Item(title=data["title"], url=data["url"], excerpt=data["excerpt"],
                platform=data["platform"], author=data["author"],
                published_at=data["published_at"], metrics=metrics,
                raw=json.loads(json.dumps(data, default=str)))


class OpenIncidentPayload(serializers.Serializer):
    urgent = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AttachPayload(serializers.Serializer):
    incident = serializers.IntegerField()


class DismissPayload(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class LeadFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")

    class Meta:
        model = Lead
        fields = ["source", "state", "since"]


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    accepts_json_list = True  # one lead or a list (opinion_ops.inputs.ObjectJSONParser)

    def get_queryset(self) -> QuerySet:
        return scoping.visible_leads(self.request.user).order_by("-received_at", "-id")

    @extend_schema(request=LeadPayload(many=True), summary="Push one lead or a list (C06)")
    def create(self, request):
        source = getattr(request.user, "intake_source", None)
        if source is None or source.kind != SourceKind.API or not source.active:
            raise PermissionDenied(_("此账号不是已启用的接口类线索来源"))
        wait = push_rate_exceeded(source)
        if wait is not None:
            log_refusal(source, SourceKind.API, 429, "rate limited: over INTAKE_RATE_LIMIT "
                        "pushes a minute", request.data, client_address(request))
            raise Throttled(wait)
        many = isinstance(request.data, list)
        payload = LeadPayload(data=request.data, many=many)
        if not payload.is_valid():
            log_refusal(source, SourceKind.API, 400, str(payload.errors), request.data,
                        client_address(request))
            return Response(payload.errors, status=status.HTTP_400_BAD_REQUEST)
        rows = payload.validated_data if many else [payload.validated_data]
        if not rows:
            raise InvalidInput({"non_field_errors": _("至少提交一条线索")})
        result = ingest(source, [_item(row) for row in rows], body=request.data,
                        remote_addr=client_address(request))
        return Response({"created": [lead.pk for lead in result.created],
                         "seen_again": result.seen_again, "opened": result.opened},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=OpenIncidentPayload, responses={201: LeadSerializer},
                   summary="Open an incident from the lead")
    @action(detail=True, methods=["post"], url_path="open-incident")
    def open_incident(self, request, pk=None):
        data = self._valid(OpenIncidentPayload)
        incident = actions.open_incident(self.get_object(), request.user, urgent=data["urgent"],
                                         note=data["note"])
        lead = Lead.objects.get(pk=pk)
        return Response(LeadSerializer(lead).data | {"incident": incident.pk},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=AttachPayload, summary="Attach the lead to an incident (C07)")
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        data = self._valid(AttachPayload)
        incident = selectors.visible_incidents(request.user).filter(pk=data["incident"]).first()
        if incident is None:
            raise InvalidInput({"incident": _("事件 #%s 不存在") % data["incident"]})
        lead = actions.attach_lead(self.get_object(), request.user, incident=incident)
        return Response(LeadSerializer(lead).data)

    @extend_schema(request=DismissPayload, summary="Dismiss the lead with a reason")
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        data = self._valid(DismissPayload)
        lead = actions.dismiss_lead(self.get_object(), request.user, reason=data["reason"])
        return Response(LeadSerializer(lead).data)

    def _valid(self, payload_class) -> dict:
        payload = payload_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data
