"""The API of escalations: list the ladders breached deadlines started, and acknowledge one
(C13), which stops the ladder. Served at /api/v1/escalations/."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from incidents import selectors
from incidents.api.filters import EscalationFilter
from incidents.api.schema import ErrorSerializer
from incidents.api.serializers import EscalationSerializer
from incidents.models import Escalation
from opinion_ops.api import APIViewSet

from . import ladder


class AcknowledgePayload(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="List escalations (ladders started by breached deadlines)"),
    retrieve=extend_schema(summary="An escalation with its notices"),
)
class EscalationViewSet(viewsets.ReadOnlyModelViewSet, APIViewSet):
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilter

    def get_queryset(self):
        return selectors.visible_escalations(self.request.user).order_by("-started_at", "-id")

    @extend_schema(summary="Acknowledge: stop the ladder (C13)",
                   request=AcknowledgePayload,
                   responses={200: EscalationSerializer,
                              409: OpenApiResponse(ErrorSerializer,
                                                   description="Already acknowledged, or the "
                                                               "deadline was met meanwhile.")})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        escalation = self.get_object()
        payload = AcknowledgePayload(data=request.data)
        payload.is_valid(raise_exception=True)
        if not ladder.acknowledge(escalation, request.user, via="api",
                                      note=payload.validated_data["note"]):
            current = Escalation.objects.get(pk=escalation.pk)
            return Response({"detail": _("该升级已是“%s”状态，无需再确认") % current.get_state_display(),
                             "code": "already_acknowledged", "state": current.state},
                            status=status.HTTP_409_CONFLICT)
        fresh = self.get_queryset().get(pk=escalation.pk)
        return Response(self.get_serializer(fresh).data)
