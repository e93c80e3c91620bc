"""Briefings: generated official documents (PDF), their letterhead templates and numbers."""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class BriefingTemplate(models.Model):
    """An organisation's letterhead and routing: who issues, who receives, who signs."""

    name = models.CharField(_("模板名称"), max_length=80, unique=True)
    is_default = models.BooleanField(_("默认模板"), default=False)
    issuer = models.CharField(_("发文机关"), max_length=120)
    short_code = models.CharField(_("发文机关代字"), max_length=20,
                                  help_text=_("用于发文字号，如“舆情办”→ 舆情办〔2026〕12号"))
    red_colour = models.CharField(_("版头红色"), max_length=7, default="#C00000",
                                  help_text=_("十六进制颜色，如 #C00000"))
    show_suffix = models.BooleanField(_("发文机关标志后加“文件”"), default=True)
    printing_unit = models.CharField(_("印发机关"), max_length=120, blank=True)
    default_recipients = models.TextField(_("报告主送机关"), blank=True,
                                          help_text=_("书面报告、续报、总结报告的主送机关，每行一个"))
    bulletin_recipients = models.TextField(_("通报主送机关"), blank=True,
                                           help_text=_("网络舆情通报的主送机关，每行一个"))
    copies_to = models.TextField(_("抄送机关"), blank=True, help_text=_("每行一个"))
    signer = models.CharField(_("签发人"), max_length=60, blank=True)
    language = models.CharField(_("文稿语言"), max_length=10, choices=settings.LANGUAGES,
                                default="zh-hans")

    class Meta:
        verbose_name = _("文稿模板")
        verbose_name_plural = _("文稿模板")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="briefing_template_one_default"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", self.red_colour or ""):
            raise ValidationError({"red_colour": _("请填写形如 #C00000 的颜色")})

    @property
    def recipient_list(self) -> list[str]:
        return _lines(self.default_recipients)

    @property
    def bulletin_recipient_list(self) -> list[str]:
        return _lines(self.bulletin_recipients)

    @property
    def copies_to_list(self) -> list[str]:
        return _lines(self.copies_to)

    @classmethod
    def default(cls) -> "BriefingTemplate":
        template = cls.objects.filter(is_default=True).first() or cls.objects.first()
        if template is None:
            raise cls.DoesNotExist(_("没有文稿模板，请在后台新建一个"))
        return template


class DocumentSequence(models.Model):
    """The last document number (发文字号) used by an issuing body in a year."""

    body_code = models.CharField(_("发文机关代字"), max_length=20)
    year = models.PositiveIntegerField(_("年份"))
    last_number = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("发文字号序列")
        verbose_name_plural = _("发文字号序列")
        ordering = ["body_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["body_code", "year"], name="one_sequence_per_body_year"),
        ]

    def __str__(self):
        return f"{self.body_code}〔{self.year}〕{self.last_number}号"


class Briefing(models.Model):
    class Kind(models.TextChoices):
        WRITTEN_REPORT = "written_report", _("书面报告")
        FOLLOW_UP = "follow_up", _("续报")
        BULLETIN = "bulletin", _("网络舆情通报")
        SUMMARY = "summary", _("总结报告")
        AUDIT = "audit", _("时限履行审计报告")
        REFERRAL_SLIP = "referral_slip", _("网络舆情抄告单")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队生成")
        READY = "ready", _("已生成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("文稿类型"), max_length=20, choices=Kind.choices)
    incident = models.ForeignKey(Incident, verbose_name=_("舆情事件"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="briefings")
    period_from = models.DateField(_("起始日期"), null=True, blank=True)
    period_to = models.DateField(_("截止日期"), null=True, blank=True)
    # 第N次续报: given by the requester, or the number of follow-ups filed so far + 1.
    follow_up_number = models.PositiveIntegerField(_("续报次数"), null=True, blank=True)
    # The slip a referral_slip document is of (an incident may have several).
    referral = models.ForeignKey("referrals.Referral", verbose_name=_("抄告单"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="documents")
    template = models.ForeignKey(BriefingTemplate, verbose_name=_("文稿模板"),
                                 on_delete=models.PROTECT, related_name="briefings")
    language = models.CharField(_("文稿语言"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    error = models.TextField(_("失败原因"), blank=True)
    body_code = models.CharField(_("发文机关代字"), max_length=20, blank=True)
    year = models.PositiveIntegerField(_("年份"), null=True, blank=True)
    sequence_number = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    document_number = models.CharField(_("发文字号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=500, blank=True)
    file = models.FileField(_("文件"), upload_to="briefings/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("字节数"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    # What the document was made from: incident revision + last timeline entry, or for a
    # period the dates + the highest timeline entry id; a newer value means it is out of date.
    data_version = models.CharField(_("数据版本"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    rendered_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    filed_to = models.CharField(_("报送对象"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("书面文稿")
        verbose_name_plural = _("书面文稿")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body_code", "year", "sequence_number"],
                                    condition=models.Q(sequence_number__isnull=False),
                                    name="briefing_number_unique"),
        ]
        indexes = [models.Index(fields=["incident", "kind"], name="briefing_incident_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document_number or f'#{self.pk}'}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def download_name(self) -> str:
        """A file name that keeps the Chinese title but nothing a file system refuses."""
        stem = f"{self.document_number} {self.title}".strip() or f"briefing-{self.pk}"
        stem = re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", stem)[:120].strip(" ._") or f"briefing-{self.pk}"
        return f"{stem}.pdf"
