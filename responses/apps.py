from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = _("回应审定与发布")

    def ready(self):
        from incidents import conditions
        from opinion_ops import events

        from . import approval, press, verbs

        verbs.register_incident_verbs()
        # C16, C17: the core's `respond` asks this before an incident is marked responded.
        conditions.register("respond", approval.respond_objection)
        events.subscribe(events.SEVERITY_RAISED, phase=events.RECORD)(
            press.start_major_procedure)
