"""The referral API: `GET /api/v1/referrals/` (a department's worklist: the slips its unit
leads or assists on), `GET /api/v1/referrals/{id}/`, and the verbs on a slip: reply, extend,
approve, return, supervise (declared in referrals.rules). Each validates its payload, runs its
one action (referrals.verbs.perform) and answers with the slip as it now stands; refusals map
to HTTP in opinion_ops.api."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from opinion_ops.api import APIViewSet

from . import payloads, rules, selectors, verbs
from .models import Referral
from .serializers import ReferralSerializer

LIST_PARAMETERS = [
    OpenApiParameter("state", description="awaiting_reply, awaiting_approval, returned, approved"),
    OpenApiParameter("incident", int),
    OpenApiParameter("open", bool, description="Only slips not yet approved"),
    OpenApiParameter("overdue", bool, description="Only slips whose reply is overdue"),
]


@extend_schema_view(
    list=extend_schema(summary="Referral slips the user may see (a unit's worklist)",
                       parameters=LIST_PARAMETERS),
    retrieve=extend_schema(summary="A referral slip with its replies, extensions and chases"),
)
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = ReferralSerializer

    def get_queryset(self):
        rows = selectors.visible_referrals(self.request.user)
        params = self.request.query_params
        if self.action != "list":
            return rows
        if params.get("state"):
            rows = rows.filter(state=params["state"])
        if params.get("incident", "").isdigit():
            rows = rows.filter(incident_id=int(params["incident"]))
        if params.get("open") in ("1", "true"):
            rows = rows.filter(state__in=Referral.OPEN_STATES)
        if params.get("overdue") in ("1", "true"):
            rows = selectors.overdue(rows)
        return rows

    def refused_state(self):
        row = Referral.objects.filter(pk=self.kwargs.get("pk")).values("state").first()
        return (row["state"], None) if row else (None, None)

    def _run(self, request, name: str):
        slip = self.get_object()  # 404 for a slip the user may not see
        verb = rules.SLIP_VERBS[name]
        payload = verb.payload(data=request.data)
        payload.is_valid(raise_exception=True)
        verbs.perform(verb, slip, request.user, payload.validated_data)
        fresh = selectors.referrals().get(pk=slip.pk)
        return Response(ReferralSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(summary="The lead unit's written reply (C12)", request=payloads.ReplyPayload)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._run(request, "reply")

    @extend_schema(summary="Extend the reply's due time, never past the plan's limit (C12)",
                   request=payloads.ExtendPayload)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._run(request, "extend")

    @extend_schema(summary="Approve the reply: closes the slip (C12, C13)",
                   request=payloads.ReviewPayload)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, "approve")

    @extend_schema(summary="Return the reply with comments: a new reply is owed (C12)",
                   request=payloads.ReturnPayload)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_reply(self, request, pk=None):
        return self._run(request, "return")

    @extend_schema(summary="Record a chase of the lead unit (督办, C13)",
                   request=payloads.SupervisePayload)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._run(request, "supervise")
