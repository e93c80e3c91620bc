"""Referral slips (网络舆情抄告单, C11–C13): the office forwards an incident to a lead unit (and
co-units) with the leader's instruction; the lead unit replies in writing; the office approves
the reply or returns it; an overdue slip is supervised (督办) until the reply is approved.

The obligations (reply, supervision) are Deadline rows of the incident core, opened and met
through incidents.deadlines; these rows hold the slip's own facts and point at the row that is
owed now. The replies, extensions and chases are only ever added.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Channel, Deadline, Incident
from organisation.models import Unit


class Referral(models.Model):
    class State(models.TextChoices):
        AWAITING_REPLY = "awaiting_reply", _("待答复")
        AWAITING_APPROVAL = "awaiting_approval", _("待审定")
        RETURNED = "returned", _("已退回重办")
        APPROVED = "approved", _("已办结")

    OPEN_STATES = (State.AWAITING_REPLY, State.AWAITING_APPROVAL, State.RETURNED)
    AWAITING_UNIT = (State.AWAITING_REPLY, State.RETURNED)

    incident = models.ForeignKey(Incident, verbose_name=_("舆情事件"), on_delete=models.PROTECT,
                                 related_name="referrals")
    number = models.PositiveIntegerField(_("序号"), help_text=_("本事件的第几份抄告单"))
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                  related_name="led_referrals")
    co_units = models.ManyToManyField(Unit, verbose_name=_("协办单位"), blank=True,
                                      related_name="assisted_referrals")
    instruction = models.TextField(_("领导批办意见"))
    urgent = models.BooleanField(_("紧急件"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.AWAITING_REPLY, db_index=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The reply owed now (a returned reply opens a new one), and its due time.
    reply_deadline = models.ForeignKey(Deadline, verbose_name=_("答复时限"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("答复截止时间"), null=True, blank=True)
    # C12: never later than the plan's limit after the post, whatever the extensions.
    limit_at = models.DateTimeField(_("答复网民最迟时间"))
    # The supervision (督办) owed now, once the slip is overdue (C13).
    supervision_deadline = models.ForeignKey(Deadline, verbose_name=_("督办时限"), null=True,
                                             blank=True, on_delete=models.PROTECT,
                                             related_name="+")
    approved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网络舆情抄告单")
        verbose_name_plural = _("网络舆情抄告单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="referral_number_unique"),
        ]
        permissions = [
            ("reply_referral", _("可书面答复抄告单")),
            ("extend_referral", _("可延长抄告单答复期限")),
            ("review_referral", _("可审定或退回抄告单答复")),
            ("supervise_referral", _("可督办抄告单")),
        ]

    def __str__(self):
        return _("抄告单 %(incident)s-%(number)s") % {"incident": self.incident_id,
                                                   "number": self.number}

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ReferralReply(models.Model):
    """A written reply of the lead unit, and the office's verdict on it."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审定")
        APPROVED = "approved", _("已审定")
        RETURNED = "returned", _("已退回")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="replies")
    body = models.TextField(_("答复内容"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"),
                                     null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("答复时间"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审定人"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    review_comment = models.TextField(_("审定意见"), blank=True)

    class Meta:
        verbose_name = _("抄告单答复")
        verbose_name_plural = _("抄告单答复")
        ordering = ["referral", "submitted_at", "id"]


class ReferralExtension(models.Model):
    """An extension of the reply's due time, with its reason (C12)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))
    previous_due_at = models.DateTimeField(_("原截止时间"))
    until = models.DateTimeField(_("延至"))
    reason = models.TextField(_("延期理由"))

    class Meta:
        verbose_name = _("抄告单延期")
        verbose_name_plural = _("抄告单延期")
        ordering = ["referral", "recorded_at", "id"]


class Supervision(models.Model):
    """One chase of an overdue slip (督办, C13): who chased, how, when, what was promised."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT,
                                 related_name="supervisions")
    supervised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办人"),
                                      null=True, on_delete=models.PROTECT, related_name="+")
    supervised_at = models.DateTimeField(_("督办时间"))
    channel = models.CharField(_("方式"), max_length=20, choices=Channel.choices)
    note = models.TextField(_("督办情况及承诺"))
    # The supervision obligation this chase met, if the slip was overdue then.
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["referral", "supervised_at", "id"]
