"""The incident page's briefings section, contributed by the briefings app.

The incident page (incidents) includes it with `{% incident_briefings incident %}`, so the core
never imports the documents that build on it.
"""
from django import template

from briefings.views import INCIDENT_KINDS, briefing_rows

register = template.Library()


@register.inclusion_tag("briefings/_incident_briefings.html", takes_context=True)
def incident_briefings(context, incident):
    return {
        **briefing_rows(incident),
        "incident": incident,
        "briefing_kinds": INCIDENT_KINDS,
        "csrf_token": context.get("csrf_token"),
    }
