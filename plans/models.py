"""Response plans (应急预案) as versioned data.

A published plan version is never changed: revising a plan copies it into a new version
(see incidents.plans.revise_plan), so an incident keeps the rules it started under.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (AnnouncementAudience, AnnouncementPoint, ApprovalQuorum, ApproverAudience,
                      Audience, DeadlineKind, RespondGate, ResponseKind, Severity, StepOwner,
                      WindowAnchor, WindowUnit)


class ResponsePlanQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def current(self):
        return self.published().filter(superseded_at__isnull=True)


class ResponsePlan(models.Model):
    family = models.SlugField(_("预案编号"), max_length=60,
                              help_text=_("同一预案的各个版本共用此编号"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=200)
    is_default = models.BooleanField(_("默认预案"), default=False)
    change_note = models.TextField(_("修订说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("被替代时间"), null=True, blank=True)

    # C08 severity thresholds: the highest level any rule reaches wins.
    major_clicks = models.PositiveIntegerField(_("重大：点击量下限"), default=1000)
    especially_major_clicks = models.PositiveIntegerField(_("特别重大：点击量下限"), default=3000)
    major_comments = models.PositiveIntegerField(_("重大：评论数下限"), default=100)
    especially_major_comments = models.PositiveIntegerField(_("特别重大：评论数下限"), default=500)
    major_mainstream_sites = models.PositiveIntegerField(_("重大：主流网站转载数下限"), default=1)
    especially_major_mainstream_sites = models.PositiveIntegerField(
        _("特别重大：主流网站转载数下限"), default=5)
    sensitive_topics_especially_major = models.BooleanField(
        _("涉及突发事件、民族、食品、卫生、自然灾害、产品质量、安全或保密的定为特别重大"), default=True)
    # C12: the reply to the netizen never later than this many days after the post.
    referral_reply_limit_days = models.PositiveIntegerField(_("答复网民最长天数"), default=5)
    referral_reply_limit_unit = models.CharField(
        _("答复网民最长天数的计算单位"), max_length=20, choices=WindowUnit.choices,
        default=WindowUnit.WORKING_DAYS)
    # A step stated more than this long before it is recorded is "recorded late" (补录): it
    # needs a reason and is shown to auditors; what the sweep recorded meanwhile stands (C21).
    backdate_tolerance_minutes = models.PositiveIntegerField(_("补录容许时差（分钟）"), default=15)
    # C05: follow-up reports (续报) are due on incidents of this severity and above.
    follow_up_from_severity = models.CharField(
        _("续报适用级别（含以上）"), max_length=20, choices=Severity.choices,
        default=Severity.MAJOR)
    # Warnings before a deadline, as a fraction of its window (e.g. 0.75 = at 75 %).
    warn_at_fraction = models.DecimalField(
        _("预警时点（占时限比例）"), max_digits=3, decimal_places=2, default=Decimal("0.75"),
        null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("0.99"))])

    objects = ResponsePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="plan_family_version_unique"),
            # At most one current (published, not superseded) version of a family.
            models.UniqueConstraint(
                fields=["family"], name="plan_one_current_version",
                condition=models.Q(published_at__isnull=False, superseded_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def rule_for(self, kind: str) -> "DeadlineRule | None":
        return next((rule for rule in self.rules.all() if rule.kind == kind), None)


class DeadlineRule(models.Model):
    """One obligation of the plan: what is due, counted from what, within how long."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("时限类型"), max_length=30, choices=DeadlineKind.choices)
    amount = models.PositiveIntegerField(_("时限"))
    unit = models.CharField(_("单位"), max_length=20, choices=WindowUnit.choices)
    anchor = models.CharField(_("起算点"), max_length=20, choices=WindowAnchor.choices,
                              default=WindowAnchor.OBLIGATION_START)
    clause = models.CharField(_("预案条款"), max_length=10)
    urgent_amount = models.PositiveIntegerField(
        _("紧急情形时限"), null=True, blank=True,
        help_text=_("紧急情形下的时限（如抄告单紧急件 2 日），留空则同上"))

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["plan", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="rule_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.amount}{self.get_unit_display()}（{self.clause}）"

    def clean(self):
        if self.amount == 0:
            raise ValidationError({"amount": _("时限必须大于零")})
        if self.anchor == WindowAnchor.VERBAL_REPORT and self.kind != DeadlineKind.WRITTEN_REPORT:
            raise ValidationError({"anchor": _("只有紧急书面汇报可以从口头汇报时起算")})


class EscalationStep(models.Model):
    """A rung of the escalation ladder: who hears, and how long after the previous rung."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE, related_name="ladder")
    level = models.PositiveSmallIntegerField(_("级别"))
    audience = models.CharField(_("通知对象"), max_length=20, choices=Audience.choices)
    delay_minutes = models.PositiveIntegerField(
        _("上一级未确认后等待（分钟）"), default=0,
        help_text=_("第一级为超时后立即通知，填 0"))

    class Meta:
        verbose_name = _("升级梯次")
        verbose_name_plural = _("升级梯次")
        ordering = ["plan", "level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="ladder_one_step_per_level"),
        ]

    def __str__(self):
        return f"L{self.level} {self.get_audience_display()} +{self.delay_minutes}min"


class ApprovalRule(models.Model):
    """Who approves a kind of public response from a severity up (C10a, C16), and what the
    incident needs of it before it may be marked responded. For a kind, the rule with the
    highest `from_severity` at or below the incident's severity applies."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE,
                             related_name="approval_rules")
    kind = models.CharField(_("回应类型"), max_length=20, choices=ResponseKind.choices)
    from_severity = models.CharField(_("适用级别（含以上）"), max_length=20,
                                     choices=Severity.choices)
    audience = models.CharField(_("审定人"), max_length=20, choices=ApproverAudience.choices)
    quorum = models.CharField(_("审定方式"), max_length=10, choices=ApprovalQuorum.choices,
                              default=ApprovalQuorum.ANY)
    gates_respond = models.CharField(_("办结前要求"), max_length=10, choices=RespondGate.choices,
                                     default=RespondGate.NONE)
    clause = models.CharField(_("预案条款"), max_length=10, default="C16")

    class Meta:
        verbose_name = _("回应审定规则")
        verbose_name_plural = _("回应审定规则")
        ordering = ["plan", "kind", "from_severity"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "from_severity"],
                                    name="approval_rule_once_per_kind_and_severity"),
        ]

    def __str__(self):
        return (f"{self.get_kind_display()}（{self.get_from_severity_display()}及以上）："
                f"{self.get_audience_display()}{self.get_quorum_display()}")


class AnnouncementRule(models.Model):
    """Who the plan has told at a point of the procedure (C01, C04): the incident's related
    departments when it is reported to the office, the superior department when it becomes
    major. Shipped in every plan; notifications delivers them (with any units an office adds
    by hand as notify rules)."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE,
                             related_name="announcement_rules")
    point = models.CharField(_("时点"), max_length=20, choices=AnnouncementPoint.choices)
    audience = models.CharField(_("通报对象"), max_length=20,
                                choices=AnnouncementAudience.choices)
    clause = models.CharField(_("预案条款"), max_length=10)

    class Meta:
        verbose_name = _("通报对象规则")
        verbose_name_plural = _("通报对象规则")
        ordering = ["plan", "point", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "point", "audience"],
                                    name="announcement_rule_once_per_audience"),
        ]

    def __str__(self):
        return f"{self.get_point_display()} → {self.get_audience_display()}（{self.clause}）"


class OfficeClosure(models.Model):
    """A day the office itself is closed, beyond the statutory calendar."""

    day = models.DateField(_("日期"), unique=True)
    reason = models.CharField(_("原因"), max_length=120)

    class Meta:
        verbose_name = _("本单位休息日")
        verbose_name_plural = _("本单位休息日")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.reason}"


class SensitiveTopic(models.Model):
    """A field an incident may touch that makes it especially major whatever its heat (C08):
    emergencies, ethnic affairs, food, health … one row each, edited by the office."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE,
                             related_name="sensitive_topics")
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("敏感领域"), max_length=60)

    class Meta:
        verbose_name = _("敏感领域")
        verbose_name_plural = _("敏感领域")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="sensitive_topic_once_per_plan"),
        ]

    def __str__(self):
        return self.name


class PlaybookStep(models.Model):
    """A step of the handling a content category calls for (C10a–d), as plan data: opened as
    an obligation with its own window when an incident is classified into the category, owed
    by the named owner, met by the named verb. An office adds or changes steps by revising the
    plan; the incident's plan version governs it."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE,
                             related_name="playbook_steps")
    category = models.CharField(_("内容类别"), max_length=20, choices=[
        ("inquiry", _("咨询、质疑、诉求类")), ("hype", _("恶意传播、炒作类")),
        ("fabrication", _("捏造、诬蔑、煽动、违法类")), ("constructive", _("建设性意见类"))])
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("步骤"), max_length=200)
    amount = models.PositiveIntegerField(_("时限"))
    unit = models.CharField(_("单位"), max_length=20, choices=WindowUnit.choices)
    owner = models.CharField(_("责任方"), max_length=20, choices=StepOwner.choices)
    verb = models.CharField(_("完成该步骤的操作"), max_length=40, default="playbook-step",
                            help_text=_("完成该步骤的操作名，如 playbook-step"))
    # C10b, C10c: a referral to the discipline, law-enforcement, supervisory or judicial body
    # is recorded with the body, the date and the reference number.
    records_referral = models.BooleanField(_("须登记移送机关、日期和文号"), default=False)
    # C10b: "if it continues" (仍持续炒作的): opened only once the incident goes on spreading
    # (a hotter snapshot, a spreading mark), not at classification.
    only_if_continuing = models.BooleanField(_("舆情持续时才开启"), default=False)
    clause = models.CharField(_("预案条款"), max_length=10)

    class Meta:
        verbose_name = _("分类处置步骤")
        verbose_name_plural = _("分类处置步骤")
        ordering = ["plan", "category", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "category", "position"],
                                    name="playbook_step_once_per_position"),
        ]

    def __str__(self):
        return f"{self.clause} {self.position}. {self.title}"

    def clean(self):
        if self.amount == 0:
            raise ValidationError({"amount": _("时限必须大于零")})
