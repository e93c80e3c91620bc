"""Writing the incident's timeline: the one place entries are made (C24)."""
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Channel, Incident, TimelineEntry


def acting_user(actor):
    """The user to store for an actor: None for the system and for anonymous callers."""
    return actor if actor is not None and actor.is_authenticated else None


def actor_name(actor) -> str:
    if actor is None:
        return _("系统")
    person = getattr(actor, "person", None)
    return person.name if person is not None else actor.get_username()


def record_event(incident: Incident, event: str, actor=None, *, from_state: str = "",
                 to_state: str = "", channel: str = Channel.SYSTEM, note: str = "",
                 recipient: str = "", clause: str = "", occurred_at: datetime | None = None,
                 data: dict | None = None) -> TimelineEntry:
    now = timezone.now()
    return TimelineEntry.objects.create(
        incident=incident, recorded_at=now, occurred_at=occurred_at or now,
        actor=acting_user(actor),
        actor_name=actor_name(actor), event=event, from_state=from_state, to_state=to_state,
        channel=channel, note=note, recipient=recipient, clause=clause, data=data or {})
