from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("抄告单与督办")

    def ready(self):
        from . import subscribers, verbs

        verbs.register_incident_verbs()
        subscribers.connect()
