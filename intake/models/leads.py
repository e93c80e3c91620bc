"""Leads (线索): one item a monitoring tool found, waiting for the duty officer's judgement.

A lead is deduplicated by its normalised URL (`url_key`) and by a near-duplicate title within
a window (intake.dedup); a second sighting updates the one lead instead of making another. The
duty officer opens an incident from it, attaches it to an existing one, or dismisses it with a
reason (intake.actions). Its history is LeadEntry, appended and never altered (C24).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from incidents.models.timeline import AppendOnlyModel
from organisation.models import Person, Unit

from .sources import IntakeSource, Push


class LeadState(models.TextChoices):
    NEW = "new", _("待研判")
    OPENED = "opened", _("已立为事件")
    ATTACHED = "attached", _("已并入事件")
    DISMISSED = "dismissed", _("已排除")


class Lead(models.Model):
    State = LeadState

    source = models.ForeignKey(IntakeSource, verbose_name=_("来源"), on_delete=models.PROTECT,
                               related_name="leads")
    push = models.ForeignKey(Push, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="leads")
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("最近一次推送"), default=timezone.now)
    times_seen = models.PositiveIntegerField(_("推送次数"), default=1)
    title = models.CharField(_("标题"), max_length=300)
    url = models.URLField(_("链接"), max_length=1000, blank=True)
    url_key = models.CharField(max_length=64, blank=True, editable=False)
    title_key = models.CharField(max_length=300, blank=True, editable=False)
    platform = models.CharField(_("平台"), max_length=60, blank=True)
    author = models.CharField(_("作者"), max_length=120, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    excerpt = models.TextField(_("摘要"), blank=True)
    raw = models.JSONField(_("原始报文（已脱敏）"), default=dict, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("归属单位"), on_delete=models.PROTECT,
                             related_name="leads")
    assignee = models.ForeignKey(Person, verbose_name=_("值班责任人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="leads")
    # [{"rule": id, "name": …, "keywords": [...]}] of the watch-list rules that matched (C06).
    matched = models.JSONField(_("命中的监测规则"), default=list, blank=True)
    sensitive_topic = models.BooleanField(_("涉及敏感领域"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.NEW)
    incident = models.ForeignKey(Incident, verbose_name=_("事件"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="leads")
    dismiss_reason = models.CharField(_("排除理由"), max_length=300, blank=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # The latest figures seen (C07); every sighting is a LeadMetricSample.
    clicks = models.PositiveIntegerField(_("点击量"), null=True, blank=True)
    comments = models.PositiveIntegerField(_("评论数"), null=True, blank=True)
    reposts = models.PositiveIntegerField(_("转发数"), null=True, blank=True)
    mainstream_sites = models.PositiveIntegerField(_("主流网站转载数"), null=True, blank=True)
    heat_index = models.DecimalField(_("热度指数"), max_digits=10, decimal_places=2, null=True,
                                     blank=True)

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-received_at", "-id"]
        permissions = [("triage_lead", _("可研判处置线索（立为事件、并入事件、排除）"))]
        constraints = [
            # One lead per normalised URL, even when two pushes of it arrive at once.
            models.UniqueConstraint(fields=["url_key"], condition=~models.Q(url_key=""),
                                    name="lead_one_per_url"),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="lead_newest_idx"),
            models.Index(fields=["source", "-received_at"], name="lead_source_recent_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == LeadState.NEW


class LeadMetricSample(models.Model):
    """The figures of one sighting of a lead, at the time the sender observed them (C07)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="samples")
    observed_at = models.DateTimeField(_("观测时间"))
    clicks = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    mainstream_sites = models.PositiveIntegerField(default=0)
    heat_index = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Whether it became a snapshot of the lead's incident (only the newest sighting does).
    snapshot_recorded = models.BooleanField(default=False)

    class Meta:
        ordering = ["lead", "observed_at"]
        constraints = [models.UniqueConstraint(fields=["lead", "observed_at"],
                                               name="lead_sample_once_per_time")]


class LeadEntry(AppendOnlyModel):
    """A line of the lead's history (C24): received, seen again, opened, escalated …"""

    class Event(models.TextChoices):
        RECEIVED = "received", _("接收")
        SEEN_AGAIN = "seen_again", _("重复推送")
        OPENED = "opened", _("立为事件")
        ATTACHED = "attached", _("并入事件")
        DISMISSED = "dismissed", _("排除")
        TRIAGE_BREACHED = "triage_breached", _("研判超时")
        ESCALATED = "escalated", _("超时升级")
        NOTIFIED = "notified", _("通知投递")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="entries")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    event = models.CharField(_("事项"), max_length=20, choices=Event.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=120)
    note = models.TextField(_("说明"), blank=True)
    clause = models.CharField(_("预案条款"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        ordering = ["lead", "recorded_at", "id"]
