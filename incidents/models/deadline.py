"""Deadlines of the plan as rows, and the escalations their breaches start.

The rows are the truth: the sweeper finds due rows through partial indexes and claims each with a
conditional UPDATE, so a lost, duplicated or late Celery task can only make an escalation
earlier or later by a sweep interval, never lose or double it.
"""
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opinion_ops.choice_labels import CachedChoiceLabels
from organisation.models import Person, Unit
from plans.models import Audience, DeadlineKind, DeadlineRule

from .incident import Incident
from .timeline import AppendOnlyError, ChainedRecord


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("待履行")
    MET = "met", _("已履行")
    BREACHED = "breached", _("已超时")
    CANCELLED = "cancelled", _("已撤销")


PENDING, MET, BREACHED = DeadlineState.PENDING, DeadlineState.MET, DeadlineState.BREACHED


class DeadlineQuerySet(models.QuerySet):
    """The one definition of each reading of a deadline that several readers share (the API,
    the admin, the pages, the forms, the briefings); `Deadline`'s predicates of the same names
    say the same of one loaded row, and tests/incidents/test_deadline_queryset.py holds the two
    to each other.

    - unsettled: still owed: pending, or breached and not yet done.
    - overdue(now): still owed and past its due time: pending past due (the sweep may not have
      seen it yet), or breached and not yet done. A breached row that was done later (met late,
      or met and recorded late, 补录) is no longer overdue: nothing is left to chase. It is late.
    - late: done after its due time, or breached (the breach stands even when a step later
      states an earlier time): the 迟报 and 漏报 an audit counts (C21).
    - recorded_late: done at a stated time within the window but recorded only after the
      window had passed (补录); whether the sweep had breached it or not.
    """

    def unsettled(self) -> "DeadlineQuerySet":
        return self.filter(_unsettled())

    def overdue(self, now: datetime | None = None) -> "DeadlineQuerySet":
        return self.filter(_overdue(now or timezone.now()))

    def not_overdue(self, now: datetime | None = None) -> "DeadlineQuerySet":
        return self.exclude(_overdue(now or timezone.now()))

    def late(self) -> "DeadlineQuerySet":
        return self.filter(_late())

    def in_time(self, now: datetime | None = None) -> "DeadlineQuerySet":
        """Neither overdue nor late: not yet due, met on time, or cancelled."""
        return self.exclude(_overdue(now or timezone.now())).exclude(_late())

    def recorded_late(self) -> "DeadlineQuerySet":
        return self.filter(met_at__lte=F("due_at"), met_recorded_at__gt=F("due_at"))

    def update(self, **kwargs):
        # The database refuses it too (migration 0006); this says so before the round trip.
        if "breached_at" in kwargs and kwargs["breached_at"] is None:
            raise AppendOnlyError("a recorded breach is never erased (breached_at=None)")
        return super().update(**kwargs)


def _unsettled(through: str = "") -> Q:
    """Still owed. `through` is the lookup path when the condition is read across a relation
    (unsettled_condition)."""
    return (Q(**{f"{through}state": PENDING})
            | Q(**{f"{through}state": BREACHED, f"{through}met_at__isnull": True}))


def _overdue(now: datetime, through: str = "") -> Q:
    # At its due time a row is due: the sweep claims `due_at <= now` too.
    return (Q(**{f"{through}state": PENDING, f"{through}due_at__lte": now})
            | Q(**{f"{through}state": BREACHED, f"{through}met_at__isnull": True}))


def unsettled_condition(through: str) -> Q:
    """DeadlineQuerySet.unsettled as a condition on the deadlines reached by the lookup path
    `through` ("deadlines__" from an incident): for a FilteredRelation or an aggregate's filter,
    where a queryset method cannot go."""
    return _unsettled(through)


def overdue_condition(now: datetime, through: str) -> Q:
    """DeadlineQuerySet.overdue(now) across the lookup path `through` (as unsettled_condition)."""
    return _overdue(now, through)


def _late() -> Q:
    return Q(state=BREACHED) | Q(met_at__gt=F("due_at"))


class Deadline(CachedChoiceLabels, models.Model):
    State = DeadlineState

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
    # When the system recorded that the step was done; met_at is when the step says it was.
    # They differ for a step recorded late (补录), and only met_at counts against due_at.
    met_recorded_at = models.DateTimeField(_("履行记录时间"), null=True, blank=True)
    # Set once, by the sweep or by a step stated after the due time, and kept for good (C21):
    # the database refuses an UPDATE that clears or changes it, or moves state off 'breached'.
    breached_at = models.DateTimeField(_("判定超时时间"), null=True, blank=True)
    # Fencing token: an ETA task carries the token it was scheduled with and does nothing if the
    # row has since been recomputed (new token) or settled.
    fence = models.UUIDField(default=uuid.uuid4, editable=False)
    # When an ETA task for this fence was queued (at most once; the sweep queues it for rows
    # that come within the horizon later). Only an optimisation: the sweep fires the row anyway.
    eta_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DeadlineQuerySet.as_manager()

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
            # Each open incident's deadlines still owed (its next due time, whether it is
            # overdue: console.homes.by_next_deadline, once per incident of the board). Partial
            # on `unsettled`, so it holds the rows still owed and not the history; state and
            # met_at included so the overdue test is answered from the index too.
            models.Index(fields=["incident", "due_at"], name="deadline_unsettled_idx",
                         include=["state", "met_at"], condition=_unsettled()),
        ]

    def __str__(self):
        return (f"{self.get_kind_display()} #{self.sequence} → "
                f"{timezone.localtime(self.due_at):%Y-%m-%d %H:%M}")

    # The facts as loaded, so that save() refuses to erase them before the database does.
    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._recorded = row._final_facts()
        return row

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._recorded = self._final_facts()

    def save(self, *args, **kwargs):
        recorded = getattr(self, "_recorded", None)
        if recorded is not None and not self._state.adding:
            erased = _erased_fact(recorded, self.__dict__)
            if erased:
                raise AppendOnlyError(f"deadline {self.pk}: {erased} is on the record for good")
        super().save(*args, **kwargs)
        self._recorded = self._final_facts()

    def _final_facts(self) -> dict:
        return {name: self.__dict__.get(name) for name in _FINAL_FIELDS}

    @property
    def minutes_late(self) -> int | None:
        """Minutes between the due time and the stated time of fulfilment: positive when late,
        negative when early; None while not done. A step recorded late (补录) counts by its
        stated time here; `recorded_late` and `late` say what the record holds."""
        if self.met_at is None:
            return None
        return round((self.met_at - self.due_at).total_seconds() / 60)

    @property
    def is_unsettled(self) -> bool:
        return self.state == PENDING or (self.state == BREACHED and self.met_at is None)

    def is_overdue(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.state == PENDING and self.due_at <= now) or (
            self.state == BREACHED and self.met_at is None)

    @property
    def is_late(self) -> bool:
        return self.state == BREACHED or (self.met_at is not None and self.met_at > self.due_at)

    @property
    def recorded_late(self) -> bool:
        """Met, recorded late (补录): the stated time is within the window, the record of it
        came after the window had passed."""
        return (self.met_at is not None and self.met_recorded_at is not None
                and self.met_at <= self.due_at < self.met_recorded_at)

    def minutes_overdue(self, now: datetime | None = None) -> int | None:
        """For a row still owed past its due time, the minutes overdue so far; else None."""
        now = now or timezone.now()
        if not self.is_unsettled or now <= self.due_at:
            return None
        return int((now - self.due_at).total_seconds() // 60)


# What the record holds for good once set (the same rules as the trigger of migration 0006).
_FINAL_FIELDS = ("state", "breached_at", "met_at", "met_recorded_at", "met_by_id")


def _erased_fact(recorded: dict, current: dict) -> str:
    """The name of a recorded fact that `current` would erase or rewrite, or ''."""
    breached_at = recorded["breached_at"]
    if breached_at is not None and current.get("breached_at") != breached_at:
        return "breached_at"
    if recorded["state"] == BREACHED and current.get("state") != BREACHED:
        return "state"
    if recorded["met_at"] is not None:
        for name in ("met_at", "met_recorded_at", "met_by_id"):
            if current.get(name) != recorded[name]:
                return name
    return ""


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


class DeadlineChange(ChainedRecord):
    """A state change of a deadline, appended and never altered (C21, C24).

    The deadline row's `state`, `met_at` and `breached_at` are a cache of its changes; this is
    the record an audit reads, so no `update()` on the row can turn a missed report into none.
    `state` is the row's state after the change, `kind` what happened.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("开始计时")
        RECOMPUTED = "recomputed", _("重算截止时间")
        BREACHED = "breached", _("超时")
        MET = "met", _("按时履行")
        MET_LATE = "met_late", _("逾期履行")
        MET_RECORDED_LATE = "met_recorded_late", _("补录履行")
        CANCELLED = "cancelled", _("撤销")

    deadline = models.ForeignKey(Deadline, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更"), max_length=20, choices=Kind.choices)
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


class EscalationChange(ChainedRecord):
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
