from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import (DraftViewSet, IncidentResponsesViewSet, MeetingTaskViewSet, MeetingViewSet,
                  StatementViewSet)

router = SimpleRouter()  # the API root stays the incidents router's
router.register("drafts", DraftViewSet, basename="draft")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("meeting-tasks", MeetingTaskViewSet, basename="meeting-task")
router.register("statements", StatementViewSet, basename="statement")

# Before the incidents router: these answer with the draft or meeting (201), not the incident.
urlpatterns = [
    path("incidents/<int:pk>/drafts/",
         IncidentResponsesViewSet.as_view({"post": "create_draft", "get": "list_drafts"}),
         name="incident-drafts"),
    path("incidents/<int:pk>/meetings/",
         IncidentResponsesViewSet.as_view({"post": "create_meeting", "get": "list_meetings"}),
         name="incident-meetings"),
] + router.urls
