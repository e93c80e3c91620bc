"""The Celery application: broker and beat schedule come from Django settings."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opinion_ops.settings")

app = Celery("opinion_ops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from .worker_timers import PromptTimers  # noqa: E402  (the app above comes first)

app.steps["worker"].add(PromptTimers)
