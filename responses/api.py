"""The response API: drafts and their verbs at /api/v1/drafts/, the drafts and meetings of an
incident at /api/v1/incidents/{id}/drafts/ and …/meetings/, the statement library, meeting
minutes and tasks. Views validate a payload and call one action; refusals map to HTTP in
opinion_ops.api (403 who, 409 state, 400 field)."""
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from incidents import selectors
from incidents.models import Incident
from opinion_ops.api import APIViewSet
from opinion_ops.errors import NotPermitted
from opinion_ops.inputs import ObjectJSONParser

from . import actions, meetings, payloads
from .models import Meeting, MeetingTask, ResponseDraft, Statement
from .serializers import (DraftSerializer, MeetingSerializer, StatementSerializer,
                          TaskSerializer)


def drafts_of(user):
    return selectors.of_visible_incidents(
        user, ResponseDraft.objects.select_related("statement").prefetch_related(
            "versions__decisions__approver", "versions__publications__published_by",
            "versions__author__person", "versions__approval_deadline"), "incident")


def meetings_of(user):
    return selectors.of_visible_incidents(
        user, Meeting.objects.prefetch_related("attendees", "tasks__owner_unit", "tasks__owner",
                                               "tasks__deadline"), "incident")


def _valid(payload_class, request):
    payload = payload_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _revised_version(request, version: int | None) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return version
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or not 0 < int(value) < 2 ** 31:
        raise ValidationError({"If-Match": [_('If-Match 应为回应稿版本号，例如 "2"')]})
    if version is not None and version != int(value):
        raise ValidationError({"version": [_("与 If-Match 头中的版本号不一致")]})
    return int(value)


class DraftViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """Drafts of public responses (C16, C17): each edit a version, each decision and
    publication kept."""

    serializer_class = DraftSerializer

    def get_queryset(self):
        return drafts_of(self.request.user).order_by("-created_at", "-id")

    def refused_state(self):
        draft = ResponseDraft.objects.filter(pk=self.kwargs.get("pk")).first()
        return (draft.state, draft.version) if draft else (None, None)

    def _answer(self, pk, code=status.HTTP_200_OK) -> Response:
        return Response(DraftSerializer(drafts_of(self.request.user).get(pk=pk)).data,
                        status=code)

    @extend_schema(request=payloads.RevisePayload, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new version. The version revised is `version` or an If-Match: "<version>"
        header; when another editor has made a newer one meanwhile, 409 and nothing lost."""
        draft = self.get_object()
        actions.require_writer(request.user, draft.incident)  # 403 before 400
        data = _valid(payloads.RevisePayload, request)
        actions.revise_draft(draft, request.user, body=data["body"],
                             version=_revised_version(request, data["version"]))
        return self._answer(pk)

    @extend_schema(request=payloads.DecisionPayload, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _valid(payloads.DecisionPayload, request)
        actions.approve_draft(self.get_object(), request.user, comment=data["comment"],
                              version=data["version"])
        return self._answer(pk)

    @extend_schema(request=payloads.RejectPayload, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = _valid(payloads.RejectPayload, request)
        actions.reject_draft(self.get_object(), request.user, comment=data["comment"],
                             version=data["version"])
        return self._answer(pk)

    @extend_schema(request=payloads.PublishPayload, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = _valid(payloads.PublishPayload, request)
        actions.publish_draft(self.get_object(), request.user, where=data["where"],
                              url=data["url"], version=data["version"])
        return self._answer(pk, status.HTTP_201_CREATED)

    @extend_schema(request=payloads.PersonPayload, responses=DraftSerializer)
    @action(detail=True, methods=["post"])
    def publisher(self, request, pk=None):
        data = _valid(payloads.PersonPayload, request)
        actions.name_publisher(self.get_object(), request.user, person=data["person"])
        return self._answer(pk)

    @extend_schema(request=payloads.StatementPayload, responses={201: StatementSerializer})
    @action(detail=True, methods=["post"])
    def statement(self, request, pk=None):
        data = _valid(payloads.StatementPayload, request)
        statement = actions.adopt_statement(self.get_object(), request.user, topic=data["topic"])
        return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)


class IncidentResponsesViewSet(APIViewSet):
    """`POST /api/v1/incidents/{id}/drafts/` (201 with id, version, state) and
    `…/meetings/`; the same paths list them with GET."""

    queryset = Incident.objects.none()  # for the schema; every method reads visible_incidents
    pagination_class = None  # an incident's drafts and meetings are listed whole

    def _incident(self, pk, acting: bool):
        incident = get_object_or_404(selectors.visible_incidents(self.request.user), pk=pk)
        if acting and not selectors.may_act_on(self.request.user, incident):
            raise NotPermitted(_("该事件不属于您的单位，您无权执行此操作"))
        return incident

    @extend_schema(request=payloads.DraftPayload, responses={201: DraftSerializer},
                   operation_id="incidents_drafts_create")
    def create_draft(self, request, pk=None):
        incident = self._incident(pk, acting=True)
        actions.require_writer(request.user, incident)  # 403 before 400
        data = _valid(payloads.DraftPayload, request)
        draft = actions.create_draft(incident, request.user, kind=data["kind"],
                                     body=data["body"], statement=data.get("statement"),
                                     expected_revision=data.get("expected_revision"))
        return Response(DraftSerializer(drafts_of(request.user).get(pk=draft.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=DraftSerializer(many=True), operation_id="incidents_drafts_list")
    def list_drafts(self, request, pk=None):
        incident = self._incident(pk, acting=False)
        rows = drafts_of(request.user).filter(incident=incident).order_by("created_at", "id")
        return Response(DraftSerializer(rows, many=True).data)

    @extend_schema(request=payloads.MeetingPayload, responses={201: MeetingSerializer},
                   operation_id="incidents_meetings_create")
    def create_meeting(self, request, pk=None):
        incident = self._incident(pk, acting=True)
        data = _valid(payloads.MeetingPayload, request)
        meeting = meetings.hold_meeting(incident, request.user, **data)
        return Response(MeetingSerializer(meetings_of(request.user).get(pk=meeting.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses=MeetingSerializer(many=True), operation_id="incidents_meetings_list")
    def list_meetings(self, request, pk=None):
        incident = self._incident(pk, acting=False)
        rows = meetings_of(request.user).filter(incident=incident)
        return Response(MeetingSerializer(rows, many=True).data)


class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = MeetingSerializer
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return meetings_of(self.request.user)

    @extend_schema(request=payloads.MinutesPayload, responses=MeetingSerializer)
    @action(detail=True, methods=["get", "post"])
    def minutes(self, request, pk=None):
        """POST uploads the minutes (type- and size-limited); GET downloads them, always as an
        attachment of their checked type, never as a page."""
        meeting = self.get_object()
        if request.method == "GET":
            return minutes_response(meeting)
        data = _valid(payloads.MinutesPayload, request)
        meetings.attach_minutes(meeting, request.user, upload=data["minutes"])
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


class MeetingTaskViewSet(mixins.RetrieveModelMixin, APIViewSet):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.of_visible_incidents(
            self.request.user, MeetingTask.objects.select_related(
                "meeting__incident", "owner_unit", "owner", "deadline"), "meeting__incident")

    @extend_schema(request=payloads.TaskDonePayload, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        data = _valid(payloads.TaskDonePayload, request)
        meetings.complete_task(self.get_object(), request.user, outcome=data["outcome"])
        return Response(TaskSerializer(self.get_queryset().get(pk=pk)).data)


class StatementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, APIViewSet):
    """The statement library (口径库): approved wording per topic, with its approver."""

    serializer_class = StatementSerializer
    queryset = Statement.objects.select_related("approved_by").order_by("topic", "-approved_at")


def minutes_response(meeting: Meeting) -> FileResponse:
    if not meeting.minutes:
        raise Http404
    response = FileResponse(meeting.minutes.open("rb"), as_attachment=True,
                            filename=f"meeting-{meeting.pk}-minutes."
                                     f"{meeting.minutes.name.rsplit('.', 1)[-1]}",
                            content_type=meeting.minutes_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
