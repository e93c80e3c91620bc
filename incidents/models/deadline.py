"""Deadlines of the plan as rows, and the escalations their breaches start.

The rows are the truth: the sweeper finds due rows through partial indexes and claims each with a
conditional UPDATE, so a lost, duplicated or late Celery task can only make an escalation
earlier or later by a sweep interval, never lose or double it.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Person, Unit
from plans.models import Audience, DeadlineKind, DeadlineRule

from .incident import Incident
from .timeline import AppendOnlyModel


class Deadline(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待履行")
        MET = "met", _("已履行")
        BREACHED = "breached", _("已超时")
        CANCELLED = "cancelled", _("已撤销")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(_("类型"), max_length=30, choices=DeadlineKind.choices)
    # The n-th obligation of this kind on the incident (follow-up reports repeat).
    sequence = models.PositiveIntegerField(_("序号"), default=1)
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(_("预案条款"), max_length=10)
    owed_by_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                     related_name="+")
    owed_by_person = models.ForeignKey(Person, verbose_name=_("责任人"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("截止时间"))
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已预警时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.PENDING)
    met_at = models.DateTimeField(_("履行时间"), null=True, blank=True)
    met_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    breached_at = models.DateTimeField(_("判定超时时间"), null=True, blank=True)
    # Fencing token: an ETA task carries the token it was scheduled with and does nothing if the
    # row has since been recomputed (new token) or settled.
    fence = models.UUIDField(default=uuid.uuid4, editable=False)
    # When an ETA task for this fence was queued (at most once; the sweep queues it for rows
    # that come within the horizon later). Only an optimisation: the sweep fires the row anyway.
    eta_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "sequence"],
                                    name="deadline_once_per_obligation"),
        ]
        indexes = [
            # The sweeper's query: pending rows by due time. Partial, so its size follows the
            # number of pending rows, not the history.
            models.Index(fields=["due_at"], name="deadline_pending_due_idx",
                         condition=models.Q(state="pending")),
            models.Index(fields=["warn_at"], name="deadline_pending_warn_idx",
                         condition=models.Q(state="pending", warned_at__isnull=True)),
            models.Index(fields=["incident", "kind"], name="deadline_incident_kind_idx"),
        ]

    def __str__(self):
        return (f"{self.get_kind_display()} #{self.sequence} → "
                f"{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}")

    @property
    def minutes_late(self) -> int | None:
        """Positive when met (or still open) after the due time, negative when early."""
        if self.met_at is None:
            return None
        return round((self.met_at - self.due_at).total_seconds() / 60)


class Escalation(models.Model):
    """The ladder started by one breached deadline, climbing until someone acknowledges."""

    class State(models.TextChoices):
        OPEN = "open", _("升级中")
        ACKNOWLEDGED = "acknowledged", _("已确认")
        EXHAUSTED = "exhausted", _("已至最高级")
        RESOLVED = "resolved", _("义务已补履行")

    deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT,
                                    related_name="escalation")
    started_at = models.DateTimeField(_("开始时间"))
    level = models.PositiveSmallIntegerField(_("当前级别"), default=1)
    next_level_at = models.DateTimeField(_("下一级通知时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.OPEN)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("超时升级")
        verbose_name_plural = _("超时升级")
        ordering = ["-started_at"]
        indexes = [
            # The sweeper's second query: open ladders whose next rung is due.
            models.Index(fields=["next_level_at"], name="escalation_open_next_idx",
                         condition=models.Q(state="open")),
        ]

    def __str__(self):
        return f"{self.deadline} L{self.level} {self.get_state_display()}"


class EscalationNotice(models.Model):
    """One rung reached: who was told, and when."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="notices")
    level = models.PositiveSmallIntegerField(_("级别"))
    audience = models.CharField(_("通知对象"), max_length=20, choices=Audience.choices)
    recipients = models.ManyToManyField(Person, verbose_name=_("接收人"), related_name="+")
    created_at = models.DateTimeField(_("通知时间"))

    class Meta:
        verbose_name = _("升级通知")
        verbose_name_plural = _("升级通知")
        ordering = ["escalation", "level"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "level"], name="notice_once_per_level"),
        ]


class DeadlineChange(AppendOnlyModel):
    """A state change of a deadline, appended and never altered (C21, C24).

    The deadline row's `state`, `met_at` and `breached_at` are a cache of its changes; this is
    the record an audit reads, so no `update()` on the row can turn a missed report into none.
    """

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="changes")
    state = models.CharField(_("状态"), max_length=20, choices=Deadline.State.choices)
    # When the system wrote it, and (for a step that met the deadline) when the step says it
    # happened; the two differ for a step recorded late (补录).
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    stated_at = models.DateTimeField(_("陈述时间"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("时限变更记录")
        verbose_name_plural = _("时限变更记录")
        ordering = ["deadline", "recorded_at", "id"]


class EscalationChange(AppendOnlyModel):
    """A state or level change of an escalation ladder, appended and never altered (C24)."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="changes")
    state = models.CharField(_("状态"), max_length=20, choices=Escalation.State.choices)
    level = models.PositiveSmallIntegerField(_("级别"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("升级变更记录")
        verbose_name_plural = _("升级变更记录")
        ordering = ["escalation", "recorded_at", "id"]
