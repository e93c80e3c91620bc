"""The in-app inbox every person has, and the one-time links that acknowledge from a message."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Person

from .delivery import Delivery, Notification


class InboxItem(models.Model):
    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="inbox_item")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="inbox_items")
    notification = models.ForeignKey(Notification, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"))
    action_url = models.URLField(_("处理链接"), max_length=500)
    created_at = models.DateTimeField(_("收到时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内信")
        verbose_name_plural = _("站内信")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="inbox_person_idx")]

    def __str__(self):
        return self.title


class AckToken(models.Model):
    """A one-time acknowledgement link: the signed value carries `jti`; this row makes it
    single-use and expiring. One per notification and recipient (None: a group robot)."""

    jti = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="ack_tokens")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("确认链接")
        verbose_name_plural = _("确认链接")
        constraints = [
            models.UniqueConstraint(fields=["notification", "person"],
                                    name="ack_token_per_recipient"),
            models.UniqueConstraint(fields=["notification"], condition=models.Q(person=None),
                                    name="ack_token_per_group"),
        ]
