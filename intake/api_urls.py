from rest_framework.routers import SimpleRouter

from .api import LeadViewSet

router = SimpleRouter()
router.register("intake/leads", LeadViewSet, basename="intake-lead")
urlpatterns = router.urls
