from rest_framework.routers import DefaultRouter

from .api import ReferralViewSet

router = DefaultRouter()
router.register("referrals", ReferralViewSet, basename="referral")
urlpatterns = router.urls
