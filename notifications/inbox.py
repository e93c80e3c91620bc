"""The in-app inbox: a channel every person has without configuration, and its reads and verbs.

The inbox is a channel like the others so that rungs and notices take one delivery path; its
`send` writes an InboxItem instead of calling a provider. Models are imported inside functions
because the channel registry (imported by the models) imports this module.
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels.base import Channel, ConfigErrors, SendResult, TransportError, \
    read_config
from notifications.message import Message


def render_text(message: Message) -> str:
    lines = [f"{label}：{value}" for label, value in message.facts()]
    if message.body:
        lines.append(message.body)
    return "\n".join(lines)


class InboxChannel(Channel):
    kind = "inbox"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config or {}, errors)
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        """`recipient` is the person's id; the item is keyed by the delivery, so a retry finds
        the item it already wrote."""
        from notifications.models import Delivery, InboxItem

        delivery = Delivery.objects.filter(idempotency_key=idempotency_key).first()
        if delivery is None or recipient is None:
            raise TransportError(_("站内信缺少投递记录或收件人"), permanent=True)
        item, created = InboxItem.objects.get_or_create(delivery=delivery, defaults={
            "person_id": int(recipient), "notification_id": delivery.notification_id,
            "title": message.title, "text": render_text(message),
            "action_url": message.action_url, "created_at": timezone.now()})
        return SendResult(response=_("已存入站内信") if created else _("站内信中已有此条"),
                          provider_id=str(item.pk))


def items_for(user):
    """The user's inbox, newest first, with what the page and the API show."""
    from notifications.models import InboxItem

    person = getattr(user, "person", None)
    if person is None:
        return InboxItem.objects.none()
    return (InboxItem.objects.filter(person=person)
            .select_related("notification__incident", "notification__escalation__acknowledged_by"))


def can_acknowledge(item) -> bool:
    from incidents.models import Escalation

    escalation = item.notification.escalation
    return (item.notification.asks_ack and escalation is not None
            and escalation.state in (Escalation.State.OPEN, Escalation.State.EXHAUSTED))


def mark_read(item) -> None:
    from notifications.models import InboxItem

    InboxItem.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=timezone.now())


def acknowledge_item(item, user) -> bool:
    """Acknowledge the rung this inbox message is about (C13); False when already settled."""
    from notifications.acknowledgement import acknowledge_notification

    with transaction.atomic():
        mark_read(item)
        return acknowledge_notification(item.notification, user, via="站内信")
