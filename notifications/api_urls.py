"""API routes of notifications, included at /api/v1/. A SimpleRouter: the API root view
belongs to incidents' router under the same prefix."""
from rest_framework.routers import SimpleRouter

from .api import DeliveryViewSet, InboxViewSet
from .escalation_api import EscalationViewSet

router = SimpleRouter()
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("inbox", InboxViewSet, basename="inbox")
router.register("escalations", EscalationViewSet, basename="escalation")

urlpatterns = router.urls
