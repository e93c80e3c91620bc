from django.urls import path

from . import api

urlpatterns = [
    path("incidents/<int:incident_id>/briefings/", api.IncidentBriefings.as_view(),
         name="incident-briefings"),
    path("briefings/", api.Briefings.as_view(), name="briefing-list"),
    path("briefings/<int:pk>/", api.BriefingDetail.as_view(), name="briefing-detail"),
    path("briefings/<int:pk>/download/", api.BriefingDownload.as_view(), name="briefing-download"),
    path("briefings/<int:pk>/file/", api.BriefingFiling.as_view(), name="briefing-file"),
]
