from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter

from .views import DeadlineViewSet, IncidentViewSet


class RootView(APIRootView):
    """The API root's links, built from the router's own prefixes under the root's path.
    DRF's default reverses each `<basename>-list`, and `incident-list` is also the HTML
    incident list's name, so the root linked `incidents` to the page instead of the API."""

    def get(self, request, *args, **kwargs):
        base = request.build_absolute_uri(request.path)
        return Response({prefix: f"{base}{prefix}/" for prefix in self.api_root_dict})


class Router(DefaultRouter):
    APIRootView = RootView


router = Router()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("deadlines", DeadlineViewSet, basename="deadline")
urlpatterns = router.urls
