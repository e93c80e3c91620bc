"""Briefing routes: the API under api/v1/ (the download route is there too; the admin links to
it, and session authentication lets a logged-in admin user fetch the PDF)."""
from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("briefings.api_urls")),
]
