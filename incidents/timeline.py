"""Writing the incident's timeline: the one place entries are made (C24)."""
from datetime import datetime

from django.utils import timezone

from opinion_ops.redaction import redact, redact_data
from organisation.actors import acting_user, actor_name

from .models import Channel, Incident, TimelineEntry


def record_event(incident: Incident, event: str, actor=None, *, from_state: str = "",
                 to_state: str = "", channel: str = Channel.SYSTEM, note: str = "",
                 recipient: str = "", clause: str = "", occurred_at: datetime | None = None,
                 data: dict | None = None, recorded_late: bool = False,
                 late_reason: str = "") -> TimelineEntry:
    now = timezone.now()
    # Entries can never be changed, so a secret (a robot URL's token) must not get in at all.
    recipient = redact(recipient)[:TimelineEntry._meta.get_field("recipient").max_length]
    return TimelineEntry.objects.create(
        incident=incident, recorded_at=now, occurred_at=occurred_at or now,
        actor=acting_user(actor),
        actor_name=actor_name(actor), event=event, from_state=from_state, to_state=to_state,
        channel=channel, note=redact(note), recipient=recipient, clause=clause,
        data=redact_data(data or {}), recorded_late=recorded_late,
        late_reason=redact(late_reason))
