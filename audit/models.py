"""What the audit keeps (C19–C21, C24): accountability findings with their evidence, the
decisions on them, commendations, the chain heads it has seen, and who looked at what.

A finding is computed from the record (audit.findings) or, for a false report, marked by a
reviewer (audit.actions); an auditor then confirms or dismisses it with a reason. Only
confirmed findings count in a unit's figures (audit.figures).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Deadline, Incident, TimelineEntry
from incidents.models.timeline import AppendOnlyModel
from organisation.models import Person, Unit
from plans.models import ResponsePlan


class FindingKind(models.TextChoices):
    LATE = "late", _("迟报")
    MISSED = "missed", _("漏报")
    RECORDED_LATE = "recorded_late", _("补录")
    CONCEALED = "concealed", _("瞒报")
    FALSE = "false", _("谎报")


# Computed from the record on every refresh; FALSE is a reviewer's judgement, never computed.
COMPUTED_KINDS = (FindingKind.LATE, FindingKind.MISSED, FindingKind.RECORDED_LATE,
                  FindingKind.CONCEALED)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待认定")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")
    # The record no longer supports it (a missed report was filed late: it is a late one now).
    WITHDRAWN = "withdrawn", _("已失效")


class Finding(models.Model):
    Kind = FindingKind
    Status = FindingStatus

    # What the finding is about, stable across refreshes: e.g. "late:deadline:12".
    key = models.CharField(max_length=80, unique=True, editable=False)
    kind = models.CharField(_("问题类型"), max_length=20, choices=FindingKind.choices)
    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT,
                                 related_name="findings")
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="findings")
    person = models.ForeignKey(Person, verbose_name=_("责任人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="findings")
    deadline = models.ForeignKey(Deadline, verbose_name=_("时限"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="findings")
    entry = models.ForeignKey(TimelineEntry, verbose_name=_("时间线记录"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="findings")
    # When what the finding is about happened (due time missed, stated time, earliest knowledge).
    occurred_at = models.DateTimeField(_("发生时间"))
    # Minutes late, minutes between stated and recorded time, or minutes known before discovery.
    minutes = models.IntegerField(_("分钟数"), null=True, blank=True)
    summary = models.TextField(_("认定事实"))
    # [{"type": "deadline"|"deadline_change"|"timeline_entry"|"lead"|"snapshot"|"incident",
    #   "id": …, "at": ISO time, "text": …}]: the rows that prove it.
    evidence = models.JSONField(_("证据"), default=list)
    status = models.CharField(_("认定状态"), max_length=20, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认定人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField(_("认定理由"), blank=True)

    class Meta:
        verbose_name = _("问责认定")
        verbose_name_plural = _("问责认定")
        ordering = ["-occurred_at", "-id"]
        permissions = [
            ("view_audit", _("可查看审计、问责认定与合规数据")),
            ("decide_finding", _("可确认或排除问责认定")),
            ("mark_false_report", _("可认定谎报")),
            ("commend", _("可表扬")),
            ("record_review", _("可填写复盘评估记录")),
            ("adopt_plan_change", _("可采纳预案修订建议")),
        ]
        indexes = [models.Index(fields=["incident", "kind"], name="finding_incident_kind_idx"),
                   models.Index(fields=["unit", "status"], name="finding_unit_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.incident_id}: {self.summary[:40]}"


class Commendation(models.Model):
    """Outstanding work, with the same kind of evidence as a finding (C21)."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT,
                                 related_name="commendations")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="commendations")
    person = models.ForeignKey(Person, verbose_name=_("人员"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="commendations")
    reason = models.TextField(_("表扬事由"))
    evidence = models.JSONField(_("证据"), default=list)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("表扬")
        verbose_name_plural = _("表扬")
        ordering = ["-created_at", "-id"]


class Review(models.Model):
    """C20: the leadership group's review and assessment of one incident: who reviewed it (the
    leadership group's members, invited experts), what it found and the lessons drawn. The
    incident's findings and commendations (C21) and the proposed plan changes belong to it.
    The incident cannot be marked reviewed without it (audit.reviews.review_refusal)."""

    incident = models.OneToOneField(Incident, verbose_name=_("事件"), on_delete=models.PROTECT,
                                    related_name="review_record")
    reviewers = models.ManyToManyField(Person, verbose_name=_("复盘人员（领导小组）"),
                                       related_name="reviews")
    # [{"name": …, "affiliation": …}]: invited experts are not people of the organisation.
    experts = models.JSONField(_("特邀专家"), default=list, blank=True)
    conclusion = models.TextField(_("评估结论"))
    lessons = models.TextField(_("经验教训"))
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("复盘评估记录")
        verbose_name_plural = _("复盘评估记录")

    def __str__(self):
        return f"#{self.incident_id}: {self.conclusion[:40]}"


class PlanChangeProposal(models.Model):
    """A change to the plan the review proposes (C20); adopting it opens a draft of the plan's
    next version (plans.versions.start_revision) carrying the proposal in its change note."""

    review = models.ForeignKey(Review, verbose_name=_("复盘评估记录"), on_delete=models.PROTECT,
                               related_name="plan_changes")
    plan = models.ForeignKey(ResponsePlan, verbose_name=_("针对的预案版本"),
                             on_delete=models.PROTECT, related_name="+")
    proposal = models.TextField(_("修订建议"))
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"),
                                   on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("采纳人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    draft = models.ForeignKey(ResponsePlan, verbose_name=_("预案修订稿"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="adopted_proposals")

    class Meta:
        verbose_name = _("预案修订建议")
        verbose_name_plural = _("预案修订建议")
        ordering = ["created_at", "id"]


class ChainHeadSnapshot(AppendOnlyModel):
    """A chain's head as the periodic job saw it (C24): a later rewrite of the whole chain,
    even one whose links all fit, no longer ends at this hash at this length."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+")
    length = models.PositiveIntegerField(_("记录条数"))
    head_hash = models.CharField(_("最新哈希"), max_length=64)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("哈希链快照")
        verbose_name_plural = _("哈希链快照")
        ordering = ["incident", "recorded_at", "id"]
        indexes = [models.Index(fields=["incident", "-recorded_at"], name="chainhead_latest_idx")]


class AccessLog(AppendOnlyModel):
    """A page an auditor opened, or an export anyone made."""

    class Kind(models.TextChoices):
        PAGE = "page", _("页面")
        API = "api", _("接口")
        EXPORT = "export", _("导出")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=10)
    path = models.CharField(_("地址"), max_length=500)
    query = models.TextField(_("参数"), blank=True)
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计访问记录")
        verbose_name_plural = _("审计访问记录")
        ordering = ["-at", "-id"]
