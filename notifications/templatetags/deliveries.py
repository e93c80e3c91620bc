"""The incident page's deliveries section, contributed by the notifications app.

The incident page (incidents) includes it with `{% incident_deliveries incident %}`, so the
core never imports the consumer that builds on it. What a reader sees of each copy (the
recipient's address or only their name) is delivery_log's rule, as on the delivery log page.
"""
from django import template

from notifications import delivery_log

register = template.Library()

DELIVERIES_SHOWN = 20


@register.inclusion_tag("notifications/_incident_deliveries.html", takes_context=True)
def incident_deliveries(context, incident):
    user = context["request"].user
    rows = delivery_log.visible_deliveries(user).filter(notification__incident=incident)
    deliveries = list(rows[:DELIVERIES_SHOWN + 1])
    for delivery in deliveries:
        delivery.shown = delivery_log.shown_to(user, delivery)
    return {"incident": incident, "deliveries": deliveries[:DELIVERIES_SHOWN],
            "more": len(deliveries) > DELIVERIES_SHOWN}
