"""Briefing routes: the API under api/v1/ (the download route is there too; the admin links to
it, and session authentication lets a logged-in admin user fetch the PDF)."""
from django.urls import include, path

from . import views

urlpatterns = [
    path("api/v1/", include("briefings.api_urls")),
    path("incidents/<int:pk>/briefings/", views.generate_for_incident,
         name="incident-briefing-generate"),
    path("incidents/<int:pk>/briefings/rows/", views.incident_briefing_rows,
         name="incident-briefing-rows"),
]
