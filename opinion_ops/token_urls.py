from django.urls import path
from rest_framework.routers import SimpleRouter

from opinion_ops.token_views import TokenViewSet, token_page

router = SimpleRouter()
router.register("tokens", TokenViewSet, basename="api-token")

api_urlpatterns = router.urls
urlpatterns = [path("tokens/", token_page, name="tokens")]
