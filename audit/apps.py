from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计与问责")

    def ready(self):
        from django.db.backends.signals import connection_created

        from incidents import conditions
        from incidents.chain import install_sqlite_functions

        from . import subscribers  # noqa: F401  (registers the event handlers)
        from .reviews import review_refusal

        # C20: an incident is marked reviewed only with the review's record.
        conditions.register("review", review_refusal)

        # SQLite's record triggers ask opinionops_may_delete() before a DELETE (C24).
        connection_created.connect(install_sqlite_functions,
                                   dispatch_uid="audit.sqlite_record_functions")
