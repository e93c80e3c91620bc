from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计与问责")

    def ready(self):
        from . import subscribers  # noqa: F401  (registers the event handlers)
