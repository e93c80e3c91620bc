"""What was told to whom, and how each copy fared.

A Notification is one thing to tell (a rung of an escalation ladder, a rung of a lead's triage
ladder, or an informational notice of the procedure); a Delivery is one copy of it on one channel to one recipient, with its own
status, attempts and provider answer. Both rungs and notices share this one delivery path.
"""
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Deadline, Escalation, EscalationNotice, Incident
from intake.models import Lead
from organisation.models import Person, Unit

from .config import ChannelConfig, ChannelKind, PersonChannel


class Notification(models.Model):
    class Reason(models.TextChoices):
        ESCALATION = "escalation", _("超时升级")
        REPORTED = "reported", _("报告时通报")
        MAJOR = "major", _("重大舆情通报")
        LEAD_TRIAGE = "lead_triage", _("线索研判超时")

    # About an incident, or about a lead nobody has judged yet (C06: a lead untouched past the
    # triage window escalates like any deadline, before there is an incident).
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="notifications")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="notifications")
    reason = models.CharField(_("事由"), max_length=20, choices=Reason.choices)
    # Set for ladder rungs; acknowledging the escalation cancels what is still queued.
    notice = models.OneToOneField(EscalationNotice, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="notification")
    escalation = models.ForeignKey(Escalation, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="notifications")
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    level = models.PositiveSmallIntegerField(_("级别"), default=0)
    clause = models.CharField(_("预案条款"), max_length=10, blank=True)
    # The content as it was when the rung was reached; the overdue minutes are computed when
    # each copy is sent.
    title = models.CharField(_("标题"), max_length=200)
    label = models.CharField(_("事项"), max_length=120)
    body = models.TextField(_("正文"), blank=True)
    due_at = models.DateTimeField(_("截止时间"))
    asks_ack = models.BooleanField(_("需确认"), default=False)
    # One notification per rung or per incident event, however often its caller runs.
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(incident__isnull=False) | models.Q(lead__isnull=False),
            name="notification_about_incident_or_lead")]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One copy of a notification on one channel to one recipient.

    held ──(earlier channel of the person failed)──> queued
    queued ──claim──> sending ──> sent | queued (transient, with backoff) | failed
    held, queued ──(acknowledged)──> cancelled
    """

    class Status(models.TextChoices):
        HELD = "held", _("备用待发")
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    notification = models.ForeignKey(Notification, on_delete=models.PROTECT,
                                     related_name="deliveries")
    person = models.ForeignKey(Person, verbose_name=_("接收人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deliveries")
    unit = models.ForeignKey(Unit, verbose_name=_("接收单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    channel_kind = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices)
    channel_config = models.ForeignKey(ChannelConfig, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="deliveries")
    person_channel = models.ForeignKey(PersonChannel, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="deliveries")
    recipient_label = models.CharField(_("接收方"), max_length=200)
    # Order of the person's channels; fallback rows are released in this order.
    rank = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices,
                              default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Rotated on every queueing and every claim: a task carries the token it was queued with,
    # so a redelivered or duplicated task finds nothing to claim.
    attempt_token = models.UUIDField(default=uuid.uuid4)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_response = models.TextField(_("服务商应答"), blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-created_at", "notification_id", "rank", "id"]
        indexes = [
            # The sweeper's query: queued rows by due time. Partial, so it stays the size of
            # the backlog, not of the history.
            models.Index(fields=["next_attempt_at"], name="delivery_queued_due_idx",
                         condition=models.Q(status="queued")),
            models.Index(fields=["claimed_at"], name="delivery_sending_idx",
                         condition=models.Q(status="sending")),
            models.Index(fields=["status", "channel_kind"], name="delivery_status_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_kind_display()} → {self.recipient_label}: " \
               f"{self.get_status_display()}"
