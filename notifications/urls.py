from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("incidents/<int:pk>/deliveries/", views.incident_deliveries,
         name="incident-deliveries"),
    path("inbox/", views.inbox_list, name="inbox"),
    path("inbox/<int:pk>/acknowledge/", views.inbox_acknowledge, name="inbox-acknowledge"),
    path("ack/<str:token>/", views.acknowledge_link, name="ack"),
]
