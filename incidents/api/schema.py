"""OpenAPI pieces shared by the API's endpoints (drf-spectacular)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .serializers import IncidentDetailSerializer


class ErrorSerializer(serializers.Serializer):
    """The body of a refused request (403, 409, 422)."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)
    state = serializers.CharField(required=False, allow_null=True,
                                  help_text="409: the incident's current state.")
    expected_revision = serializers.IntegerField(required=False)
    current_revision = serializers.IntegerField(required=False, allow_null=True,
                                                help_text="409 stale_revision: the current "
                                                          "revision.")


IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description='The incident revision the caller acted on, e.g. "3" (as in the ETag); same as '
                "`expected_revision`. A different current revision is answered 409.")

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Up to 255 characters, unique per user. A retry with the same key and body "
                "returns the first incident (200, header Idempotent-Replayed: true).")

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Each bad field mapped to a list of messages.")

VERB_RESPONSES = {
    200: IncidentDetailSerializer,
    400: BAD_REQUEST,
    403: OpenApiResponse(ErrorSerializer, description="The role does not allow this step."),
    404: OpenApiResponse(ErrorSerializer, description="No such incident."),
    409: OpenApiResponse(ErrorSerializer,
                         description="Not allowed in the current state (`state` names it), or "
                                     "the incident changed since `expected_revision`."),
}

CREATE_RESPONSES = {
    201: IncidentDetailSerializer,
    200: OpenApiResponse(IncidentDetailSerializer,
                         description="Replay: the incident an earlier POST with the same "
                                     "Idempotency-Key and body created."),
    400: BAD_REQUEST,
    403: OpenApiResponse(ErrorSerializer, description="The role may not log incidents."),
    422: OpenApiResponse(ErrorSerializer,
                         description="The Idempotency-Key was used with a different body."),
}
