from django.urls import path

from . import views

app_name = "responses"

urlpatterns = [
    path("inbox/", views.approval_inbox, name="inbox"),
    path("drafts/<int:pk>/decide/", views.decide, name="decide"),
    path("queue/", views.publication_queue, name="queue"),
    path("drafts/<int:pk>/publish/", views.publish, name="publish"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
]
