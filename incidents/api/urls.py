from rest_framework.routers import DefaultRouter

from .views import DeadlineViewSet, EscalationViewSet, IncidentViewSet

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("deadlines", DeadlineViewSet, basename="deadline")
router.register("escalations", EscalationViewSet, basename="escalation")
urlpatterns = router.urls
