"""The incident page's briefings section, contributed by the briefings app.

The incident page (incidents) includes it with `{% incident_briefings incident %}`, so the core
never imports the documents that build on it.
"""
from django import template

from briefings.views import INCIDENT_KINDS

register = template.Library()


@register.inclusion_tag("briefings/_incident_briefings.html", takes_context=True)
def incident_briefings(context, incident):
    return {
        "incident": incident,
        "briefings": incident.briefings.order_by("-created_at"),
        "briefing_kinds": INCIDENT_KINDS,
        "csrf_token": context.get("csrf_token"),
    }
