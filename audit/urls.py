from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.findings_page, name="findings"),
    path("incidents/<int:pk>/", views.incident_page, name="incident"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("chains/", views.chains_page, name="chains"),
    path("findings/<int:pk>/<slug:decision>/", views.decide_page, name="decide"),
]
