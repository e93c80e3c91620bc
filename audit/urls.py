from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.findings_page, name="findings"),
    path("incidents/<int:pk>/", views.incident_page, name="incident"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("chains/", views.chains_page, name="chains"),
    path("findings/<int:pk>/<slug:decision>/", views.decide_page, name="decide"),
    path("incidents/<int:pk>/review/", views.review_page, name="review"),
    path("incidents/<int:pk>/plan-changes/", views.propose_page, name="propose"),
    path("plan-changes/<int:pk>/adopt/", views.adopt_page, name="adopt"),
]
