from .token_urls import api_urlpatterns as urlpatterns  # noqa: F401
