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

from incidents import actions, selectors
from opinion_ops.errors import InvalidInput
from incidents.models import Incident

from opinion_ops.api import APIViewSet

from . import idempotency, payloads
from .errors import IdempotencyKeyReused
from .filters import DeadlineFilter, IncidentFilter
from .schema import CREATE_RESPONSES, IDEMPOTENCY_KEY, IF_MATCH, VERB_RESPONSES
from .serializers import (DeadlineSerializer, IncidentDetailSerializer,
                          IncidentSummarySerializer)

# The permission each transition requires is declared on the model's transition.
TRANSITION_PERMISSIONS = {
    t.name: t.permission for t in Incident._meta.get_field("state").get_all_transitions(Incident)
}


class HasRolePermission(BasePermission):
    """The role's permission for the requested verb (the actions check it again)."""

    def has_permission(self, request, view):
        needed = view.required_permission()
        if needed is None or request.user.has_perm(needed):
            return True
        self.message = _("您的角色无权执行此操作（需要权限 %s）") % needed
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
        if self.action == "list":
            return selectors.incidents()
        if self.action == "retrieve":
            return selectors.incident_details()
        return Incident.objects.all()

    def get_serializer_class(self):
        return IncidentSummarySerializer if self.action == "list" else IncidentDetailSerializer

    def refused_state(self):
        row = Incident.objects.filter(pk=self.kwargs.get("pk")).values("state", "revision").first()
        return (row["state"], row["revision"]) if row else (None, None)

    def required_permission(self) -> str | None:
        if self.action == "create":
            return "incidents.detect_incident"
        if self.action in TRANSITION_PERMISSIONS:
            return TRANSITION_PERMISSIONS[self.action]
        step = (self.action or "").replace("_", "-")
        if step in selectors.STEP_PERMISSIONS:
            return f"incidents.{selectors.STEP_PERMISSIONS[step]}"
        return None

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

    # The verbs. Each: payload → one action → the incident as it now stands.

    def _verb(self, request, payload_class, act) -> Response:
        incident = self.get_object()
        payload = payload_class(data=request.data)
        payload.is_valid(raise_exception=True)
        revision = _expected_revision(request, payload.validated_data)
        act(incident, payload, revision)
        return self._detail(incident.pk)

    def _step(self, payload) -> actions.Step:
        return actions.Step(**payload.step_fields())

    @extend_schema(summary="Report to the leadership-group office (C01–C03)",
                   request=payloads.ReportPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        return self._verb(request, payloads.ReportPayload, lambda i, p, rev: (
            actions.report_incident(i, request.user, self._step(p), expected_revision=rev)))

    @extend_schema(summary="Classify: category and severity, from heat figures (C07–C10)",
                   request=payloads.ClassifyPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        def act(incident, p, rev):
            data = p.validated_data
            return actions.classify_incident(
                incident, request.user, category=data["category"],
                severity=data.get("severity"), heat=p.heat(), stage=data.get("stage"),
                step=self._step(p), expected_revision=rev)
        return self._verb(request, payloads.ClassifyPayload, act)

    @extend_schema(summary="Record the approved public response; the incident has subsided "
                           "(C10, C16)",
                   request=payloads.RespondPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._verb(request, payloads.RespondPayload, lambda i, p, rev: (
            actions.respond_incident(i, request.user, self._step(p),
                                     response=p.validated_data["response"],
                                     expected_revision=rev)))

    @extend_schema(summary="Record the review and assessment (C20, C21)",
                   request=payloads.ReviewPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._verb(request, payloads.ReviewPayload, lambda i, p, rev: (
            actions.review_incident(i, request.user, self._step(p),
                                    findings=p.validated_data["findings"],
                                    expected_revision=rev)))

    @extend_schema(summary="Dismiss: not a public-opinion incident; its deadlines end",
                   request=payloads.DismissPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._verb(request, payloads.DismissPayload, lambda i, p, rev: (
            actions.dismiss_incident(i, request.user, self._step(p), expected_revision=rev)))

    @extend_schema(summary="Merge into the incident this one duplicates",
                   request=payloads.MergePayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self._verb(request, payloads.MergePayload, lambda i, p, rev: (
            actions.merge_incident(i, request.user, self._step(p),
                                   into=p.validated_data["into"], expected_revision=rev)))

    @extend_schema(summary="Record an urgent verbal (phone) report (C02)",
                   request=payloads.VerbalReportPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="verbal-report", url_name="verbal-report")
    def verbal_report(self, request, pk=None):
        return self._verb(request, payloads.VerbalReportPayload, lambda i, p, rev: (
            actions.record_verbal_report(i, request.user, self._step(p),
                                         expected_revision=rev)))

    @extend_schema(summary="Record the written report (C02)",
                   request=payloads.WrittenReportPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="written-report", url_name="written-report")
    def written_report(self, request, pk=None):
        return self._verb(request, payloads.WrittenReportPayload, lambda i, p, rev: (
            actions.file_written_report(i, request.user, self._step(p),
                                        expected_revision=rev)))

    @extend_schema(summary="Record a follow-up report (C05); the next one falls due",
                   request=payloads.FollowUpPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request, pk=None):
        return self._verb(request, payloads.FollowUpPayload, lambda i, p, rev: (
            actions.file_follow_up_report(i, request.user, self._step(p),
                                          expected_revision=rev)))

    @extend_schema(summary="Record the report to the superior department (C04)",
                   request=payloads.SuperiorReportPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="superior-report",
            url_name="superior-report")
    def superior_report(self, request, pk=None):
        return self._verb(request, payloads.SuperiorReportPayload, lambda i, p, rev: (
            actions.report_to_superior(i, request.user, self._step(p), expected_revision=rev)))

    @extend_schema(summary="Record the written summary after the incident subsided (C19)",
                   request=payloads.SummaryPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        return self._verb(request, payloads.SummaryPayload, lambda i, p, rev: (
            actions.file_summary(i, request.user, self._step(p), expected_revision=rev)))

    @extend_schema(summary="Upgrade severity (C09); pending deadlines are recomputed",
                   request=payloads.UpgradePayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def upgrade(self, request, pk=None):
        def act(incident, p, rev):
            data = p.validated_data
            return actions.upgrade_severity(incident, request.user, severity=data["severity"],
                                            reason=data["reason"], urgent=data.get("urgent"),
                                            expected_revision=rev)
        return self._verb(request, payloads.UpgradePayload, act)

    @extend_schema(summary="Record a snapshot of the incident's spread (C07); may upgrade (C09)",
                   request=payloads.MetricsPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def metrics(self, request, pk=None):
        def act(incident, p, rev):
            data = p.validated_data
            return actions.record_metrics(
                incident, request.user, heat=p.heat(), stage=data["stage"], cause=data["cause"],
                attention=data["attention"], follow_up_posts=data["follow_up_posts"],
                expected_revision=rev)
        return self._verb(request, payloads.MetricsPayload, act)

    @extend_schema(summary="Change the owner unit and/or accountable leader (C23)",
                   request=payloads.ReassignPayload, responses=VERB_RESPONSES,
                   parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        def act(incident, p, rev):
            data = p.validated_data
            try:
                return actions.change_owner(
                    incident, request.user, unit=data.get("owner_unit"),
                    leader=data.get("accountable_leader"), reason=data["reason"],
                    expected_revision=rev)
            except InvalidInput as exc:
                # The action names the field "unit"; the payload calls it "owner_unit".
                raise InvalidInput({("owner_unit" if field == "unit" else field): message
                                    for field, message in exc.errors.items()}) from exc
        return self._verb(request, payloads.ReassignPayload, act)


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
        return selectors.deadlines().order_by("due_at", "id")
