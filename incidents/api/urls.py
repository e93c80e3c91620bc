from rest_framework.routers import DefaultRouter

from .views import DeadlineViewSet, IncidentViewSet

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("deadlines", DeadlineViewSet, basename="deadline")
urlpatterns = router.urls
