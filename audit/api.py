"""The audit's API (C21, C24):

- GET  /api/v1/audit/findings/?incident=&unit=&kind=&status=&from=&to=   findings with evidence
- POST /api/v1/audit/findings/{id}/confirm/ {reason}  ·  …/dismiss/ {reason}
- POST /api/v1/audit/false-reports/ {entry, reason, contradicted_by: [entry ids]}
- GET/POST /api/v1/audit/commendations/
- GET  /api/v1/audit/compliance/?from=&to=&unit=&format=json|csv|xlsx
- GET  /api/v1/audit/chains/?incident=   the result of verify_audit
- GET  /api/v1/audit/reviews/?incident=  ·  POST {incident, reviewers, experts, conclusion,
  lessons} (C20: writes or rewrites the incident's review record)
- POST /api/v1/audit/reviews/{id}/plan-changes/ {proposal}  ·  /audit/plan-changes/{id}/adopt/

`from`/`to` are local dates, both included, over the incidents' discovery. Readers see the
findings of the incidents the access policy shows them; the figures and the chain check need
audit.view_audit. Every export is logged (AccessLog).
"""
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.settings import APISettings

from incidents import selectors
from incidents.models import Incident, TimelineEntry
from opinion_ops.api import APIViewSet
from opinion_ops.errors import NotPermitted
from organisation.models import Person, Unit

from . import access, actions, exports, figures, reviews
from .findings import refresh_findings
from .models import (Commendation, Finding, FindingKind, FindingStatus, PlanChangeProposal,
                     Review)
from .verify import verify


class PeriodQuery(serializers.Serializer):
    # Named after the contract's query parameters; "from" is a keyword, hence the mapping.
    from_ = serializers.DateField(required=False)
    to = serializers.DateField(required=False)
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False)

    def to_internal_value(self, data):
        data = {("from_" if key == "from" else key): value for key, value in data.items()}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError(
                {("from" if key == "from_" else key): value
                 for key, value in error.detail.items()}) from None

    def validate(self, attrs):
        if attrs.get("from_") and attrs.get("to") and attrs["from_"] > attrs["to"]:
            raise serializers.ValidationError({"to": _("结束日期不能早于开始日期")})
        return attrs


class FindingQuery(PeriodQuery):
    incident = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=FindingKind.choices, required=False)
    status = serializers.ChoiceField(choices=FindingStatus.choices, required=False)


class ComplianceQuery(PeriodQuery):
    from_ = serializers.DateField()
    to = serializers.DateField()
    format = serializers.ChoiceField(choices=["json", "csv", "xlsx"], required=False,
                                     default="json")


def parsed(query_class, request) -> dict:
    query = query_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


class FindingSerializer(serializers.ModelSerializer):
    # A plain string in the schema: an enum named "kind" would collide with the briefings'.
    kind = serializers.CharField(read_only=True,
                                 help_text="late|missed|recorded_late|concealed|false")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True,
                                       default=None)

    class Meta:
        model = Finding
        fields = ["id", "kind", "kind_label", "status", "status_label", "incident", "unit",
                  "unit_name", "person", "person_name", "deadline", "entry", "occurred_at",
                  "minutes", "summary", "evidence", "created_at", "decided_at", "decided_by",
                  "decision_reason"]
        read_only_fields = fields


class ReasonPayload(serializers.Serializer):
    reason = serializers.CharField(allow_blank=False, trim_whitespace=True)


class FalseReportPayload(ReasonPayload):
    entry = serializers.PrimaryKeyRelatedField(queryset=TimelineEntry.objects.all())
    contradicted_by = serializers.PrimaryKeyRelatedField(queryset=TimelineEntry.objects.all(),
                                                         many=True, allow_empty=False)


class CommendationSerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False,
                                                allow_null=True)
    entries = serializers.PrimaryKeyRelatedField(queryset=TimelineEntry.objects.all(),
                                                 many=True, required=False, write_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Commendation
        fields = ["id", "incident", "unit", "person", "reason", "evidence", "entries",
                  "created_at", "created_by"]
        read_only_fields = ["evidence", "created_at", "created_by"]


def filter_findings(rows, query: dict):
    if query.get("incident"):
        rows = rows.filter(incident_id=query["incident"])
    if query.get("unit"):
        rows = rows.filter(unit=query["unit"])
    for name in ("kind", "status"):
        if query.get(name):
            rows = rows.filter(**{name: query[name]})
    if query.get("from_"):
        rows = rows.filter(incident__discovered_at__gte=figures.Period(
            query["from_"], query["from_"]).start)
    if query.get("to"):
        rows = rows.filter(incident__discovered_at__lt=figures.Period(
            query["to"], query["to"]).end)
    return rows


def _params(*names_and_types) -> list[OpenApiParameter]:
    return [OpenApiParameter(name, kind) for name, kind in names_and_types]


PERIOD = (("from", OpenApiTypes.DATE), ("to", OpenApiTypes.DATE), ("unit", OpenApiTypes.INT))


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = FindingSerializer
    filter_backends = []

    def get_queryset(self):
        rows = Finding.objects.select_related("unit", "person", "decided_by")
        return selectors.of_visible_incidents(self.request.user, rows, "incident") \
            .order_by("-occurred_at", "-id")

    @extend_schema(parameters=_params(("incident", OpenApiTypes.INT), ("kind", OpenApiTypes.STR),
                                      ("status", OpenApiTypes.STR), *PERIOD))
    def list(self, request, *args, **kwargs):
        query = parsed(FindingQuery, request)
        if query.get("incident"):  # one incident's findings as its record stands now
            refresh_findings([query["incident"]])
        rows = filter_findings(self.get_queryset(), query)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _decide(self, request, decide):
        payload = ReasonPayload(data=request.data)
        payload.is_valid(raise_exception=True)
        finding = decide(self.get_object(), request.user, reason=payload.validated_data["reason"])
        return Response(self.get_serializer(finding).data)

    @action(detail=True, methods=["post"], serializer_class=FindingSerializer)
    def confirm(self, request, pk=None):
        return self._decide(request, actions.confirm_finding)

    @action(detail=True, methods=["post"], serializer_class=FindingSerializer)
    def dismiss(self, request, pk=None):
        return self._decide(request, actions.dismiss_finding)


class FalseReportViewSet(APIViewSet):
    serializer_class = FalseReportPayload

    def create(self, request):
        payload = FalseReportPayload(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        finding = actions.mark_false_report(data["entry"], request.user, reason=data["reason"],
                                            contradicted_by=data["contradicted_by"])
        return Response(FindingSerializer(finding).data, status=201)


class CommendationViewSet(mixins.ListModelMixin, APIViewSet):
    serializer_class = CommendationSerializer
    filter_backends = []

    def get_queryset(self):
        rows = Commendation.objects.select_related("created_by")
        return selectors.of_visible_incidents(self.request.user, rows, "incident")

    def create(self, request):
        payload = CommendationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        row = actions.commend(data["incident"], request.user, unit=data["unit"],
                              person=data.get("person"), reason=data["reason"],
                              entries=data.get("entries", []))
        return Response(CommendationSerializer(row).data, status=201)


class FormatIsAParameter(DefaultContentNegotiation):
    """`format=csv|xlsx` selects the export, not a DRF renderer."""

    settings = APISettings({"URL_FORMAT_OVERRIDE": None})


def require_auditing(user) -> None:
    if not user.has_perm("audit.view_audit"):
        raise NotPermitted(_("您的角色无权查看审计数据"))


class ComplianceViewSet(APIViewSet):
    content_negotiation_class = FormatIsAParameter

    @extend_schema(parameters=_params(*PERIOD, ("format", OpenApiTypes.STR)),
                   responses=OpenApiTypes.OBJECT)
    def list(self, request):
        require_auditing(request.user)
        query = parsed(ComplianceQuery, request)
        numbers = figures.compliance(figures.Period(query["from_"], query["to"]),
                                     unit=query.get("unit"))
        kind = query["format"]
        if kind == "json":
            return Response(numbers)
        return export_response(request, numbers, kind)


def export_response(request, numbers: dict, kind: str) -> HttpResponse:
    body, media = ((exports.as_csv(numbers), "text/csv; charset=utf-8") if kind == "csv" else
                   (exports.as_xlsx(numbers), "application/vnd.openxmlformats-officedocument"
                                              ".spreadsheetml.sheet"))
    name = f"compliance_{numbers['period']['from']}_{numbers['period']['to']}.{kind}"
    response = HttpResponse(body, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    access.log_export(request, status_code=200)
    return response


class ChainViewSet(APIViewSet):
    @extend_schema(parameters=_params(("incident", OpenApiTypes.INT)),
                   responses=OpenApiTypes.OBJECT)
    def list(self, request):
        require_auditing(request.user)
        raw = request.query_params.get("incident")
        if raw is not None and not raw.isdigit():
            raise serializers.ValidationError({"incident": _("请填写事件编号")})
        report = verify([int(raw)] if raw else None)
        return Response({"ok": report.ok, "chains": report.chains, "entries": report.links,
                         "breaks": [{"incident": b.incident_id, "entry": b.link,
                                     "position": b.position, "problem": b.problem}
                                    for b in report.breaks]})


class ExpertSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    affiliation = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        default="")


class PlanChangeSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    adopted_by = serializers.CharField(source="adopted_by.username", read_only=True,
                                       default=None)

    class Meta:
        model = PlanChangeProposal
        fields = ["id", "plan", "proposal", "created_at", "created_by", "adopted_at",
                  "adopted_by", "draft"]
        read_only_fields = ["plan", "created_at", "adopted_at", "draft"]


class ReviewSerializer(serializers.ModelSerializer):
    """C20: the review's record, with the incident's findings and commendations (C21)."""
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    reviewers = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True)
    experts = ExpertSerializer(many=True, required=False)
    plan_changes = PlanChangeSerializer(many=True, read_only=True)
    findings = FindingSerializer(source="incident.findings", many=True, read_only=True)
    commendations = CommendationSerializer(source="incident.commendations", many=True,
                                           read_only=True)

    class Meta:
        model = Review
        fields = ["id", "incident", "reviewers", "experts", "conclusion", "lessons",
                  "plan_changes", "findings", "commendations", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ProposalPayload(serializers.Serializer):
    proposal = serializers.CharField()


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = ReviewSerializer
    filter_backends = []

    def get_queryset(self):
        rows = Review.objects.prefetch_related("reviewers", "plan_changes").order_by("-id")
        rows = selectors.of_visible_incidents(self.request.user, rows, "incident")
        raw = self.request.query_params.get("incident")
        if raw is not None:
            if not raw.isdigit():
                raise serializers.ValidationError({"incident": _("请填写事件编号")})
            rows = rows.filter(incident_id=int(raw))
        return rows

    def create(self, request):
        payload = ReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        review = reviews.record_review(data["incident"], request.user,
                                       reviewers=data["reviewers"],
                                       conclusion=data["conclusion"], lessons=data["lessons"],
                                       experts=data.get("experts", []))
        return Response(ReviewSerializer(review).data, status=201)

    @action(detail=True, methods=["post"], url_path="plan-changes",
            serializer_class=ProposalPayload)
    def plan_changes(self, request, pk=None):
        payload = ProposalPayload(data=request.data)
        payload.is_valid(raise_exception=True)
        change = reviews.propose_plan_change(self.get_object(), request.user,
                                             proposal=payload.validated_data["proposal"])
        return Response(PlanChangeSerializer(change).data, status=201)


class PlanChangeViewSet(mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = PlanChangeSerializer

    def get_queryset(self):
        return selectors.of_visible_incidents(
            self.request.user, PlanChangeProposal.objects.all(), "review__incident")

    @action(detail=True, methods=["post"], serializer_class=PlanChangeSerializer)
    def adopt(self, request, pk=None):
        change = reviews.adopt_plan_change(self.get_object(), request.user)
        return Response(PlanChangeSerializer(change).data)
