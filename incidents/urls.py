from django.urls import path

from . import views

urlpatterns = [
    path("incidents/", views.incident_list, name="incident-list"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/<slug:verb>/", views.incident_step, name="incident-step"),
    path("incidents/<int:pk>/<slug:verb>/form/", views.incident_step_form,
         name="incident-step-form"),
]
