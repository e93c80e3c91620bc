"""The incident API: reads through incidents.selectors, every change through incidents.actions.

No view writes a model itself. Each verb validates its payload, calls one action (which runs in
one transaction and raises an ActionError that changed nothing), then answers with the
incident as it now stands. Incidents, deadlines and the timeline have no PUT, PATCH or DELETE.
"""
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from incidents import actions, selectors, verbs
from incidents.models import Incident

from opinion_ops.api import APIViewSet
from opinion_ops.errors import NotPermitted

from . import idempotency, payloads
from .errors import IdempotencyKeyReused
from .filters import DeadlineFilter, IncidentFilter
from .schema import CREATE_RESPONSES, IDEMPOTENCY_KEY, IF_MATCH, VERB_RESPONSES
from .serializers import (DeadlineSerializer, IncidentDetailSerializer,
                          IncidentSummarySerializer)

def _permission_label(needed: str) -> str:
    codename = needed.rpartition(".")[2]
    if codename == verbs.DETECT_PERMISSION:
        return verbs.label_for("detect")
    return next((verb.label_for() for verb in verbs.REGISTRY.values()
                 if verb.permission == codename), _("此操作"))


class HasRolePermission(BasePermission):
    """The role's permission for the requested verb (the actions check it again)."""

    def has_permission(self, request, view):
        needed = view.required_permission()
        if needed is None or request.user.has_perm(needed):
            return True
        # The person reads what they tried (登记舆情), never the permission's codename.
        self.message = _("您的角色无权执行“%s”") % _permission_label(needed)
        return False


@extend_schema_view(
    list=extend_schema(summary="List incidents", responses=IncidentSummarySerializer(many=True)),
    retrieve=extend_schema(summary="An incident with its timeline, deadlines and escalations"),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    permission_classes = [IsAuthenticated, HasRolePermission]
    filterset_class = IncidentFilter
    serializer_class = IncidentDetailSerializer

    def get_queryset(self):
        """Only the incidents the access policy lets the user see: others' answer 404."""
        if self.action == "list":
            among = selectors.incidents()
        elif self.action == "retrieve":
            among = selectors.incident_details()
        else:
            among = Incident.objects.all()
        return selectors.visible_incidents(self.request.user, among)

    def get_serializer_class(self):
        return IncidentSummarySerializer if self.action == "list" else IncidentDetailSerializer

    def refused_state(self):
        row = Incident.objects.filter(pk=self.kwargs.get("pk")).values("state", "revision").first()
        return (row["state"], row["revision"]) if row else (None, None)

    def required_permission(self) -> str | None:
        if self.action == "create":
            return f"incidents.{verbs.DETECT_PERMISSION}"
        verb = verbs.BY_SLUG.get(self.action or "")
        return f"incidents.{verb.permission}" if verb else None

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["revision"]}"'
        return response

    def _detail(self, pk: int, status_code=status.HTTP_200_OK, headers=None) -> Response:
        incident = selectors.incident_detail(pk)
        data = IncidentDetailSerializer(incident, context=self.get_serializer_context()).data
        response = Response(data, status=status_code, headers=headers)
        response["ETag"] = f'"{incident.revision}"'
        return response

    @extend_schema(summary="Log a detected incident (C06) and start its report deadlines",
                   description=(
                       "Creates the incident through `actions.detect_incident`. `discovered_at` "
                       "must carry a UTC offset. With an `Idempotency-Key` header a retried POST "
                       "returns the incident the first one created, **200** with its current "
                       "detail and the header `Idempotent-Replayed: true`, instead of creating a "
                       "second; the same key with a different body is answered **422**."),
                   request=payloads.IncidentCreatePayload, responses=CREATE_RESPONSES,
                   parameters=[IDEMPOTENCY_KEY])
    def create(self, request):
        key = idempotency.key_from(request)
        if key is None:
            incident = self._detect(request)
            return self._detail(incident.pk, status.HTTP_201_CREATED)
        digest = idempotency.request_hash(request.data)
        try:
            earlier = idempotency.earlier_incident(request.user, key, digest)
            if earlier is None:
                incident, created = idempotency.create_once(
                    request.user, key, digest, lambda: self._detect(request))
            else:
                incident, created = earlier, False
        except idempotency.KeyReused:
            raise IdempotencyKeyReused() from None
        if created:
            return self._detail(incident.pk, status.HTTP_201_CREATED)
        return self._detail(incident.pk, headers={"Idempotent-Replayed": "true"})

    def _detect(self, request) -> Incident:
        payload = payloads.IncidentCreatePayload(data=request.data)
        payload.is_valid(raise_exception=True)
        return actions.detect_incident(request.user, **payload.validated_data)

    def run_verb(self, request, verb: verbs.Verb) -> Response:
        """Every verb's route: payload → the registry → one action → the incident now."""
        incident = self.get_object()
        if not selectors.may_act_on(request.user, incident):  # seen, not theirs to act on: 403
            raise NotPermitted(_("该事件不属于您的单位，您无权执行“%s”") % verb.label)
        payload = verb.payload(data=request.data)
        payload.is_valid(raise_exception=True)
        revision = _expected_revision(request, payload.validated_data)
        verbs.perform(verb, incident, request.user, payload.validated_data,
                      expected_revision=revision)
        return self._detail(incident.pk)


def _verb_route(verb: verbs.Verb):
    """The `POST /api/v1/incidents/{id}/<verb>/` route of one registry entry."""

    def route(self, request, pk=None):
        return self.run_verb(request, verb)

    route.__name__ = verb.slug
    route.__doc__ = str(verb.label)
    route = extend_schema(summary=f"{verb.label} ({verb.name})", request=verb.payload,
                          responses=VERB_RESPONSES, parameters=[IF_MATCH],
                          operation_id=f"incidents_{verb.slug}")(route)
    return action(detail=True, methods=["post"], url_path=verb.name, url_name=verb.name)(route)


def _routes_from_registry(cls):
    """The router asks for the extra actions when the URLs load, after every app's ready():
    each verb of the registry, the core's and those capability apps registered, gets its
    route then."""
    for verb in verbs.REGISTRY.values():
        if verb.slug not in cls.__dict__:
            setattr(cls, verb.slug, _verb_route(verb))
    return super(IncidentViewSet, cls).get_extra_actions()


IncidentViewSet.get_extra_actions = classmethod(_routes_from_registry)


def _expected_revision(request, data) -> int | None:
    """The revision the caller acted on: `expected_revision` in the body or If-Match header."""
    in_body = data.get("expected_revision")
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return in_body
    tag = header.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise ValidationError({"If-Match": [_('If-Match 应为事件修订号，例如 "3"')]})
    if in_body is not None and in_body != int(tag):
        raise ValidationError({"expected_revision": [_("与 If-Match 头中的修订号不一致")]})
    return int(tag)


@extend_schema_view(
    list=extend_schema(summary="List deadlines (obligations of the plan) with escalations"),
    retrieve=extend_schema(summary="A deadline with its escalation"),
)
class DeadlineViewSet(viewsets.ReadOnlyModelViewSet, APIViewSet):
    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter

    def get_queryset(self):
        return selectors.visible_deadlines(self.request.user).order_by("due_at", "id")
