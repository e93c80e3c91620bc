from django.urls import path

from .views import token_page

urlpatterns = [path("tokens/", token_page, name="tokens")]
