"""The delivery log as its reader may see it: the page and the API both read it through here.

Only deliveries of incidents the reader may see are listed (organisation.policy through
incidents.selectors). A recipient's address (phone number, e-mail address) is shown to the
office only: `recipient_label` embeds it when the copy is planned, and a provider's answer or
error can repeat it ("邮件服务器已接收，收件人 …", "不是有效的邮箱地址：…"). Everybody else reads the
recipient's name, and those two texts are withheld.
"""
import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet

from incidents import selectors
from incidents.models import OPEN_STATES
from organisation import policy

from .models import Delivery


def visible_deliveries(user) -> QuerySet:
    """Every copy of every notification about an incident `user` may see, newest first."""
    rows = (Delivery.objects.select_related("notification__incident", "person", "unit")
            .order_by("-created_at", "-id"))
    return selectors.of_visible_incidents(user, rows, "notification__incident")


@dataclass(frozen=True)
class Shown:
    """The texts of a delivery that may carry an address, as the reader may see them."""

    recipient: str
    last_error: str
    provider_response: str


def shown_to(user, delivery: Delivery) -> Shown:
    if policy.may_see_recipient_addresses(user):
        return Shown(delivery.recipient_label, delivery.last_error, delivery.provider_response)
    # A unit's group channel is labelled by its name and unit, never by an address.
    name = delivery.person.name if delivery.person_id else delivery.recipient_label
    return Shown(name, last_error="", provider_response="")


INCIDENT_SECTION_ROWS = 20


def incident_section(user, incident) -> dict:
    """The incident page's deliveries section: the newest copies `user` may see, whether there
    are more, a stamp of what they show (which copies, in which status, after how many
    attempts) and whether the page keeps asking (while the incident is open, new rungs and
    retries still come)."""
    rows = visible_deliveries(user).filter(notification__incident=incident)
    deliveries = list(rows[:INCIDENT_SECTION_ROWS + 1])
    shown = deliveries[:INCIDENT_SECTION_ROWS]
    for delivery in shown:
        delivery.shown = shown_to(user, delivery)
    more = len(deliveries) > INCIDENT_SECTION_ROWS
    seen = ",".join(f"{d.pk}:{d.status}:{d.attempts}" for d in shown) + (":more" if more else "")
    return {"incident": incident, "deliveries": shown, "more": more,
            "stamp": hashlib.sha256(seen.encode()).hexdigest()[:20],
            "live": incident.state in OPEN_STATES}
