"""Where leads come from: a registered monitoring source, and every push it made (C06).

A source speaks one robot protocol (DingTalk, WeCom, Feishu) or the JSON API. Its token is the
credential in the URL the monitoring tool is given; the optional secret is the robot's signing
secret (加签 / 签名校验). Every push received, accepted or refused, is a Push row whose text has
passed through opinion_ops.redaction first.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Unit


class SourceKind(models.TextChoices):
    DINGTALK = "dingtalk", _("钉钉机器人")
    WECOM = "wecom", _("企业微信机器人")
    FEISHU = "feishu", _("飞书机器人")
    API = "api", _("接口（JSON）")


def new_token() -> str:
    return secrets.token_hex(32)


class IntakeSource(models.Model):
    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=SourceKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT,
                             related_name="intake_sources")
    token = models.CharField(_("接入令牌"), max_length=64, unique=True, default=new_token,
                             editable=False)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True,
                              help_text=_("机器人“加签/签名校验”的密钥；留空则不校验签名"))
    # The API kind posts as this user (token authentication).
    api_user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="intake_source")
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("线索来源")
        verbose_name_plural = _("线索来源")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


class Push(models.Model):
    """One request received on an intake endpoint, and what became of it."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("已接收")
        DUPLICATE = "duplicate", _("重复，未新增")
        REFUSED = "refused", _("已拒绝")

    source = models.ForeignKey(IntakeSource, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="pushes", verbose_name=_("来源"))
    kind = models.CharField(_("协议"), max_length=20, choices=SourceKind.choices)
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    error_code = models.CharField(_("错误码"), max_length=20, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    leads_created = models.PositiveIntegerField(_("新增线索"), default=0)
    leads_seen_again = models.PositiveIntegerField(_("重复线索"), default=0)
    body = models.TextField(_("报文（已脱敏）"), blank=True)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["source", "-received_at"], name="push_source_recent_idx")]

    def __str__(self):
        return (f"{self.get_kind_display()} {self.get_outcome_display()} "
                f"{self.received_at:%Y-%m-%d %H:%M:%S}")
