"""The incident page's deliveries section, contributed by the notifications app.

The incident page (incidents) includes it with `{% incident_deliveries incident %}`, so the
core never imports the consumer that builds on it. What a reader sees of each copy (the
recipient's address or only their name) is delivery_log's rule, as on the delivery log page;
the page keeps the section current through notifications.views.incident_deliveries (htmx).
"""
from django import template

from notifications import delivery_log

register = template.Library()


@register.inclusion_tag("notifications/_incident_deliveries.html", takes_context=True)
def incident_deliveries(context, incident):
    return delivery_log.incident_section(context["request"].user, incident)
