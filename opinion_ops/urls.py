from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its start-up script from a URL, not inline (Content-Security-Policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("api/v1/", include("responses.api_urls")),  # before incidents: …/drafts/ answers 201
    path("api/v1/", include("incidents.api.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("notifications.api_urls")),
    path("api/v1/", include("audit.api_urls")),
    path("audit/", include("audit.urls")),
    path("responses/", include("responses.urls")),
    path("api/v1/", include("referrals.api_urls")),
    path("api/v1/", include("intake.api_urls")),
    path("api/v1/", include("accounts.api_urls")),  # API tokens
    path("", include("accounts.urls")),  # /tokens/
    path("", include("intake.urls")),
    path("", include("briefings.urls")),
    path("", include("console.urls")),  # / is each role's home
    path("", include("incidents.urls")),
]

handler404 = "opinion_ops.api.not_found"
