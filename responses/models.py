"""Public responses under leadership (C14–C18): drafts and their versions, approvals,
publications, the statement library (口径库), the press group and its spokesperson, meetings
and the tasks they hand out.

Rows here are written only by responses.actions, inside the incident's step context, so each
change stands or falls with its timeline entry. Versions, decisions and publications are kept
for good; a new version is a new row.
"""
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models import Deadline, Incident
from organisation.models import Person, Unit
from plans.models import ApprovalRule, ResponseKind

MINUTES_EXTENSIONS = ["pdf", "docx", "doc", "txt", "jpg", "jpeg", "png"]


class ResponseDraft(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审定")
        APPROVED = "approved", _("已审定")
        REJECTED = "rejected", _("已退回")
        PUBLISHED = "published", _("已发布")

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.PROTECT,
                                 related_name="response_drafts")
    kind = models.CharField(_("回应类型"), max_length=20, choices=ResponseKind.choices)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices,
                             default=State.PENDING)
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    # Built from the statement library: the draft shows what it changed of that wording.
    statement = models.ForeignKey("Statement", verbose_name=_("所据口径"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="drafts")
    # Someone the press group names to publish this release besides the spokesperson (C17).
    named_publisher = models.ForeignKey(Person, verbose_name=_("指定发布人"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"),
                                   null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("起草时间"))

    class Meta:
        verbose_name = _("回应稿")
        verbose_name_plural = _("回应稿")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} v{self.version}"

    @property
    def current(self) -> "DraftVersion":
        return self.versions.get(number=self.version)


class DraftVersion(models.Model):
    """One edit of a draft. Approvals belong to a version: a new version starts without any."""

    draft = models.ForeignKey(ResponseDraft, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    body = models.TextField(_("正文"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撰写人"), null=True,
                               on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(_("撰写时间"))
    # The approval window of this version (C16): an incident deadline, escalated like any other.
    approval_deadline = models.ForeignKey(Deadline, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    # Set when the rule's quorum is reached: the rule it was approved under, and when.
    approved_under = models.ForeignKey(ApprovalRule, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回应稿版本")
        verbose_name_plural = _("回应稿版本")
        ordering = ["draft", "number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"],
                                               name="draft_version_once")]

    def __str__(self):
        return f"{self.draft} v{self.number}"


class Decision(models.Model):
    """An approver's approval or rejection of one version, with their comment (C16)."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("退回")

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT, related_name="decisions")
    approver = models.ForeignKey(Person, verbose_name=_("审定人"), on_delete=models.PROTECT,
                                 related_name="response_decisions")
    verdict = models.CharField(_("意见"), max_length=10, choices=Verdict.choices)
    comment = models.TextField(_("审定意见"), blank=True)
    decided_at = models.DateTimeField(_("审定时间"))

    class Meta:
        verbose_name = _("审定意见")
        verbose_name_plural = _("审定意见")
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "approver"],
                                               name="decision_once_per_approver")]


class Publication(models.Model):
    """Where, when, at which link and by whom an approved version went out (C17)."""

    version = models.ForeignKey(DraftVersion, on_delete=models.PROTECT,
                                related_name="publications")
    where = models.CharField(_("发布平台/账号"), max_length=200)
    url = models.URLField(_("链接"), max_length=1000)
    published_by = models.ForeignKey(Person, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        ordering = ["published_at", "id"]


class PressGroup(models.Model):
    """The incident's press group and its one spokesperson (C14, C17)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT,
                                    related_name="press_group")
    spokesperson = models.ForeignKey(Person, verbose_name=_("新闻发言人"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(Person, verbose_name=_("成员"), blank=True,
                                     related_name="press_groups")
    set_up_at = models.DateTimeField(_("成立时间"))

    class Meta:
        verbose_name = _("新闻发布组")
        verbose_name_plural = _("新闻发布组")


class Statement(models.Model):
    """Approved wording on a topic (口径库), reusable in new drafts; its approver of record is
    the one who approved the version it was taken from (C15, C16)."""

    topic = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("口径"))
    source_version = models.OneToOneField(DraftVersion, verbose_name=_("来源稿件"),
                                          on_delete=models.PROTECT, related_name="statement")
    approved_by = models.ForeignKey(Person, verbose_name=_("审定人"), on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("审定时间"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("入库人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("入库时间"))

    class Meta:
        verbose_name = _("口径")
        verbose_name_plural = _("口径库")
        ordering = ["topic", "-approved_at"]

    def __str__(self):
        return self.topic


class Meeting(models.Model):
    """An emergency meeting of the leadership group (C14) or a joint meeting of member units
    led by a lead unit (联席会议, C15), with what it decided."""

    class Kind(models.TextChoices):
        EMERGENCY = "emergency", _("紧急会议")
        JOINT = "joint", _("联席会议")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("召开时间"))
    attendees = models.ManyToManyField(Person, verbose_name=_("参会人员"), related_name="+")
    agenda = models.TextField(_("议程"))
    decisions = models.TextField(_("会议决定"))
    agreed_wording = models.TextField(_("通稿口径"), blank=True)
    release_approver = models.ForeignKey(Person, verbose_name=_("发布审定人"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    minutes = models.FileField(_("会议纪要"), upload_to="meetings/%Y/%m/", blank=True,
                               validators=[FileExtensionValidator(MINUTES_EXTENSIONS)])
    minutes_type = models.CharField(_("纪要类型"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d %H:%M}"


class MeetingTask(models.Model):
    """A task a meeting handed out: an owner and a due time, owed as an incident deadline."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("任务"), max_length=300)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                                   related_name="+")
    owner = models.ForeignKey(Person, verbose_name=_("责任人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("完成时限"))
    deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("会议任务")
        verbose_name_plural = _("会议任务")
        ordering = ["due_at", "id"]
