"""Signed one-time acknowledgement links (C13).

The link carries `jti` signed with the site's key and a salt (django.core.signing), so a link
cannot be forged or guessed; the AckToken row makes it expire (ACK_LINK_MAX_AGE_SECONDS) and
work once. The signature has no timestamp of its own, so every retry of one delivery carries the
same link. Acknowledging always goes through incidents.escalation.acknowledge, which stops the
ladder and writes the timeline; notifications.dispatch.escalation_acknowledged then cancels
what is still queued.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ladder
from incidents.models import Escalation
from organisation.models import Person

from .models import AckToken, Notification

SALT = "notifications.ack-link"


def max_age() -> timedelta:
    return timedelta(seconds=getattr(settings, "ACK_LINK_MAX_AGE_SECONDS", 24 * 3600))


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def issue(notification: Notification, person: Person | None) -> str:
    """The token for a recipient's link (None: a group robot's), created once and reused."""
    token = AckToken.objects.filter(notification=notification, person=person).first()
    if token is None:
        now = timezone.now()
        try:
            with transaction.atomic():
                token = AckToken.objects.create(notification=notification, person=person,
                                                created_at=now, expires_at=now + max_age())
        except IntegrityError:
            token = AckToken.objects.get(notification=notification, person=person)
    return _signer().sign(token.jti.hex)


def ack_url(notification: Notification, person: Person | None) -> str:
    path = reverse("notifications:ack", args=[issue(notification, person)])
    return f"{settings.SITE_URL}{path}"


class LinkError(Exception):
    """A link that cannot acknowledge; `status` is what the page answers."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def resolve(value: str) -> AckToken:
    """The unused, unexpired token a link carries; LinkError (400 forged, 410 gone) otherwise."""
    try:
        jti = _signer().unsign(value)
    except signing.BadSignature:
        raise LinkError(_("确认链接无效：签名校验失败，请使用通知中的原始链接。"), 400) from None
    token = (AckToken.objects.select_related("notification__escalation__acknowledged_by",
                                             "notification__incident", "person")
             .filter(jti=jti).first())
    if token is None:
        raise LinkError(_("确认链接无效：找不到对应的通知。"), 400)
    if token.used_at is not None:
        raise LinkError(_("此确认链接已于 %(at)s 使用过，每个链接只能使用一次。") % {
            "at": timezone.localtime(token.used_at).strftime("%Y-%m-%d %H:%M")}, 410)
    if token.expires_at <= timezone.now():
        raise LinkError(_("此确认链接已过期（有效期 %(h)s 小时），请登录系统在站内信中确认。") % {
            "h": round(max_age().total_seconds() / 3600)}, 410)
    return token


@dataclass(frozen=True)
class LinkOutcome:
    acknowledged: bool
    escalation: Escalation


def acknowledge_by_link(value: str, user) -> LinkOutcome:
    """Use the link once. A personal link acknowledges as its recipient; a group robot's link
    as the logged-in user who followed it (the views require login for those)."""
    with transaction.atomic():
        token = resolve(value)
        actor = token.person.user if token.person is not None else user
        used = AckToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
            used_at=timezone.now(), used_by=actor if _is_user(actor) else None)
        if used != 1:
            raise LinkError(_("此确认链接已使用过，每个链接只能使用一次。"), 410)
        done = acknowledge_notification(token.notification, actor, via="通知中的确认链接")
        escalation = token.notification.escalation
        escalation.refresh_from_db()
        return LinkOutcome(acknowledged=done, escalation=escalation)


def acknowledge_notification(notification: Notification, actor, *, via: str) -> bool:
    """Stop the ladder the notification belongs to; False when it was already stopped."""
    if not notification.asks_ack or notification.escalation_id is None:
        return False
    return ladder.acknowledge(notification.escalation, actor, via=via)


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)
