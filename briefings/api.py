"""The briefing API: list, generate (202, rendered by a task), download, and file.

Views only validate and call briefings.generation; an ActionError refused by it (or by the
incident action filing calls) becomes 400/403/409 as in the incident API.
"""
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens import ApiTokenAuthentication, TokenScope
from opinion_ops.errors import (ActionError, InvalidInput, NotPermitted, StaleRevision,
    TransitionNotAllowed)
from incidents import selectors
from incidents.models import Incident

from . import generation
from .models import Briefing


class BriefingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    filed_by = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                            allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = ["id", "kind", "kind_label", "incident", "period_from", "period_to",
                  "follow_up_number", "language", "status", "status_label", "error",
                  "document_number", "title", "pages", "size", "sha256", "data_version",
                  "created_by", "created_at", "rendered_at", "filed_by", "filed_at", "filed_to",
                  "download_url"]
        read_only_fields = fields

    def get_download_url(self, briefing) -> str | None:
        if not briefing.is_ready:
            return None
        url = reverse("briefing-download", args=[briefing.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class GenerateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Briefing.Kind.choices)
    language = serializers.ChoiceField(choices=["zh-hans", "en"], required=False)
    follow_up_number = serializers.IntegerField(min_value=1, required=False)
    # "from" is a keyword in Python, hence the explicit names.
    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        data = dict(data.items()) if hasattr(data, "items") else data
        for outer, inner in (("from", "period_from"), ("to", "period_to")):
            if outer in data and inner not in data:
                data[inner] = data[outer]
        return super().to_internal_value(data)


class FileSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="")


def action_error_response(exc: ActionError) -> Response:
    if isinstance(exc, InvalidInput):
        return Response({field: [str(message)] for field, message in exc.errors.items()},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotPermitted):
        return Response({"detail": str(exc), "code": "permission_denied"},
                        status=status.HTTP_403_FORBIDDEN)
    code = ("transition_not_allowed" if isinstance(exc, TransitionNotAllowed)
            else "stale_revision" if isinstance(exc, StaleRevision) else "conflict")
    return Response({"detail": str(exc), "code": code}, status=status.HTTP_409_CONFLICT)


class BriefingView(APIView):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScope]

    def handle_exception(self, exc):
        if isinstance(exc, ActionError):
            return action_error_response(exc)
        return super().handle_exception(exc)

    def visible(self):
        """The briefings the user may read: those of incidents they may see (others' answer
        404), and the period documents (bulletins, period audits), which name no incident."""
        incidents = selectors.visible_incidents(self.request.user).values("pk")
        return Briefing.objects.filter(Q(incident__isnull=True) | Q(incident__in=incidents))

    def incident(self, pk: int) -> Incident:
        return get_object_or_404(selectors.visible_incidents(self.request.user), pk=pk)

    def listed(self, queryset):
        rows = queryset.select_related("created_by", "filed_by")
        kind = self.request.query_params.get("kind")
        if kind:
            rows = rows.filter(kind=kind)
        return Response(BriefingSerializer(rows[:200], many=True,
                                           context={"request": self.request}).data)

    def generate(self, incident: Incident | None) -> Response:
        if not generation.can_generate(self.request.user):
            raise NotPermitted(_("您的角色无权生成书面文稿"))
        payload = GenerateSerializer(data=self.request.data)
        payload.is_valid(raise_exception=True)
        values = payload.validated_data
        briefing = generation.request_briefing(
            values["kind"], self.request.user, incident=incident,
            period_from=values.get("period_from"), period_to=values.get("period_to"),
            language=values.get("language"), follow_up_number=values.get("follow_up_number"))
        briefing.refresh_from_db()  # an eager task may already have rendered it
        return Response(BriefingSerializer(briefing, context={"request": self.request}).data,
                        status=status.HTTP_202_ACCEPTED)


class IncidentBriefings(BriefingView):
    """GET: the incident's briefings, newest first. POST {"kind": ...}: generate one."""

    @extend_schema(operation_id="incident_briefings_list", summary="An incident's briefings",
                   responses=BriefingSerializer(many=True))
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        return self.listed(incident.briefings.all())

    @extend_schema(operation_id="incident_briefings_generate", summary="Generate a briefing",
                   request=GenerateSerializer, responses={202: BriefingSerializer})
    def post(self, request, incident_id):
        incident = self.incident(incident_id)
        if request.data.get("kind") == Briefing.Kind.BULLETIN:
            raise InvalidInput({"kind": _("网络舆情通报按期间生成，请使用 /api/v1/briefings/")})
        return self.generate(incident)


class Briefings(BriefingView):
    """GET: all briefings. POST {"kind": "bulletin"|"audit", "from": ..., "to": ...}."""

    @extend_schema(operation_id="briefings_list", summary="All briefings",
                   responses=BriefingSerializer(many=True))
    def get(self, request):
        return self.listed(self.visible())

    @extend_schema(operation_id="briefings_generate", summary="Generate a bulletin or period audit",
                   request=GenerateSerializer, responses={202: BriefingSerializer})
    def post(self, request):
        return self.generate(None)


class BriefingDetail(BriefingView):
    @extend_schema(operation_id="briefings_retrieve", summary="One briefing",
                   responses=BriefingSerializer)
    def get(self, request, pk):
        briefing = get_object_or_404(self.visible(), pk=pk)
        return Response(BriefingSerializer(briefing, context={"request": request}).data)


class BriefingDownload(BriefingView):
    @extend_schema(operation_id="briefings_download", summary="The briefing's PDF",
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, pk):
        briefing = get_object_or_404(self.visible(), pk=pk)
        if not briefing.is_ready:
            raise generation.BriefingConflict(_("文稿尚未生成（%s）") % briefing.get_status_display())
        response = FileResponse(briefing.file.open("rb"), as_attachment=True,
                                filename=briefing.download_name, content_type="application/pdf")
        response["X-Content-SHA256"] = briefing.sha256
        return response


class BriefingFiling(BriefingView):
    """POST {"recipient": ..., "note": ...}: send the document; its deadline is met."""

    @extend_schema(operation_id="briefings_file", summary="File (send) a generated report",
                   request=FileSerializer, responses=BriefingSerializer)
    def post(self, request, pk):
        briefing = get_object_or_404(self.visible(), pk=pk)
        payload = FileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        briefing = generation.file_briefing(briefing, request.user, **payload.validated_data)
        return Response(BriefingSerializer(briefing, context={"request": request}).data)
