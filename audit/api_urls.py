from rest_framework.routers import SimpleRouter

from .api import (ChainViewSet, CommendationViewSet, ComplianceViewSet, FalseReportViewSet,
                  FindingViewSet, PlanChangeViewSet, ReviewViewSet)

router = SimpleRouter()
router.register("audit/findings", FindingViewSet, basename="audit-finding")
router.register("audit/false-reports", FalseReportViewSet, basename="audit-false-report")
router.register("audit/commendations", CommendationViewSet, basename="audit-commendation")
router.register("audit/compliance", ComplianceViewSet, basename="audit-compliance")
router.register("audit/chains", ChainViewSet, basename="audit-chain")
router.register("audit/reviews", ReviewViewSet, basename="audit-review")
router.register("audit/plan-changes", PlanChangeViewSet, basename="audit-plan-change")
urlpatterns = router.urls
