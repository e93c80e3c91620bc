"""The incident and its state machine (detected → reported → classified → responded → reviewed).

Transition methods only move the state; incidents.actions is the one caller, and it writes the
facts, the timeline entry and the deadlines in the same transaction. Who may fire one is
declared with its verb, once, in incidents.verbs.
"""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from opinion_ops.choice_labels import CachedChoiceLabels
from organisation.models import Person, Unit
from plans.models import ResponsePlan

from .choices import Category, Severity, Stage


class State(models.TextChoices):
    DETECTED = "detected", _("已发现")
    REPORTED = "reported", _("已报告")
    CLASSIFIED = "classified", _("已研判")
    RESPONDED = "responded", _("已处置")
    REVIEWED = "reviewed", _("已复盘")
    DISMISSED = "dismissed", _("已排除")
    MERGED = "merged", _("已合并")


OPEN_STATES = [State.DETECTED, State.REPORTED, State.CLASSIFIED, State.RESPONDED]


def _is_not_self_merge(instance) -> bool:
    return instance.merged_into_id is not None and instance.merged_into_id != instance.pk


def _is_classified(instance) -> bool:
    return bool(instance.category and instance.severity)


class Incident(CachedChoiceLabels, ConcurrentTransitionMixin, models.Model):
    title = models.CharField(_("标题"), max_length=300)
    summary = models.TextField(_("概要"))
    source_url = models.URLField(_("原帖链接"), max_length=1000)
    source_links = models.JSONField(_("其他链接"), default=list, blank=True)
    platform = models.CharField(_("平台"), max_length=60)
    discovered_at = models.DateTimeField(_("发现时间"))
    discovered_by = models.ForeignKey(Person, verbose_name=_("发现人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="discovered_incidents")
    urgent = models.BooleanField(_("紧急"), default=False)
    category = models.CharField(_("内容类别"), max_length=20, choices=Category.choices,
                                blank=True)
    severity = models.CharField(_("级别"), max_length=20, choices=Severity.choices, blank=True)
    severity_rule = models.CharField(_("定级依据"), max_length=300, blank=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices,
                             default=Stage.LATENT)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                   related_name="owned_incidents")
    accountable_leader = models.ForeignKey(Person, verbose_name=_("责任领导"),
                                           on_delete=models.PROTECT, related_name="led_incidents")
    # C01: the departments told at the same time as the office when the incident is reported.
    related_units = models.ManyToManyField(Unit, verbose_name=_("相关部门"), blank=True,
                                           related_name="related_incidents")
    plan = models.ForeignKey(ResponsePlan, verbose_name=_("适用预案版本"),
                             on_delete=models.PROTECT, related_name="incidents")
    state = FSMField(_("状态"), default=State.DETECTED, choices=State.choices, protected=True,
                     db_index=True)
    # Bumped by every action; the API's stale-version check compares it.
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    verbal_reported_at = models.DateTimeField(_("口头汇报时间"), null=True, blank=True)
    subsided_at = models.DateTimeField(_("平息时间"), null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name=_("合并至"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="duplicates")
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("舆情事件")
        verbose_name_plural = _("舆情事件")
        ordering = ["-discovered_at", "-id"]
        permissions = [
            ("detect_incident", _("可登记发现的舆情")),
            ("report_incident", _("可向舆情办报告")),
            ("classify_incident", _("可研判定级")),
            ("respond_incident", _("可登记处置回应")),
            ("review_incident", _("可复盘评估")),
            ("dismiss_incident", _("可排除")),
            ("merge_incident", _("可合并重复事件")),
            ("reassign_incident", _("可变更责任单位或责任领导")),
            ("record_verbal_report", _("可登记口头汇报")),
            ("update_incident_facts", _("可记录传播数据")),
        ]
        indexes = [models.Index(fields=["discovered_at"], name="incident_discovered_idx")]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_major(self) -> bool:
        return Severity.is_major(self.severity)

    @transition(field=state, source=State.DETECTED, target=State.REPORTED)
    def report(self):
        """C01: the discoverer reports to the leadership-group office."""

    @transition(field=state, source=State.REPORTED, target=State.CLASSIFIED)
    def classify(self):
        """C07–C10: the office judges content category and severity."""

    @transition(field=state, source=State.CLASSIFIED, target=State.RESPONDED,
                conditions=[_is_classified])
    def respond(self):
        """C10, C16: the response is given and the incident has subsided."""

    @transition(field=state, source=State.RESPONDED, target=State.CLASSIFIED)
    def reopen(self):
        """C22: new heat after the response (a relapse) reopens handling."""

    @transition(field=state, source=State.RESPONDED, target=State.REVIEWED)
    def review(self):
        """C20, C21: the post-incident review and accountability."""

    @transition(field=state, source=[State.DETECTED, State.REPORTED, State.CLASSIFIED],
                target=State.DISMISSED)
    def dismiss(self):
        """Judged not to be a public-opinion incident."""

    @transition(field=state, source=[State.DETECTED, State.REPORTED, State.CLASSIFIED],
                target=State.MERGED,
                conditions=[_is_not_self_merge])
    def merge(self):
        """A duplicate of another incident; its record continues there."""
