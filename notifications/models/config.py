"""Where messages go: an office's channels (group robots of a unit), each person's own channels,
and the plan's rules for telling related departments at report time (C01, C04).

A configuration is checked by its channel class's `validate_config` whenever it is cleaned or
saved, so a robot URL without its token is refused in the admin with the channel's own message
and never reaches a delivery.
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Person, Unit
from plans.models import ResponsePlan
from notifications.channels.registry import channel_class
from notifications import secrets
from notifications.channels import addresses


class ChannelKind(models.TextChoices):
    INBOX = "inbox", _("站内信")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")
    FEISHU = "feishu", _("飞书机器人")
    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("电子邮件")
    SMS_ALIYUN = "sms_aliyun", _("阿里云短信")
    SMS_TENCENT = "sms_tencent", _("腾讯云短信")
    SMS_GATEWAY = "sms_gateway", _("短信网关")
    CONSOLE = "console", _("控制台（开发用）")


# Every person has the in-app inbox implicitly; it is never configured.
CONFIGURABLE_KINDS = [(value, label) for value, label in ChannelKind.choices
                      if value != ChannelKind.INBOX]


def check_config(kind: str, config: dict, field: str = "config") -> dict:
    """The channel's normalised configuration, or a ValidationError on `field` that lists every
    problem the channel class found, each prefixed with its key."""
    try:
        return channel_class(kind).validate_config(config)
    except LookupError as exc:
        raise ValidationError({"kind": str(exc)}) from None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            problems = [f"{key}: {message}" for key, messages in exc.message_dict.items()
                        for message in messages]
        else:
            problems = exc.messages
        raise ValidationError({field: problems}) from None


# The configuration keys that name an address a channel sends to.
ADDRESS_KEYS = ("url", "base_url", "endpoint")


def check_addresses(config: dict, field: str = "config") -> None:
    """SSRF, at save time: a channel whose address is (or resolves to) this machine, its
    network or a metadata service is refused unless NOTIFICATION_ALLOWED_PRIVATE_HOSTS allows
    it; each request is checked again before it is made (notifications.channels.http)."""
    problems = []
    for key in ADDRESS_KEYS:
        value = config.get(key) if isinstance(config, dict) else None
        if isinstance(value, str) and value:
            refused = addresses.refusal(value.replace("{", "").replace("}", ""),
                                        unresolvable_ok=True)
            if refused:
                problems.append(f"{key}: {refused}")
    if problems:
        raise ValidationError({field: problems})


class ValidatedOnSave(models.Model):
    """Cleaned on every save too, so the shell and data migrations cannot store a broken
    configuration either; its credentials are stored encrypted (notifications.secrets)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.clean()
        self.config = secrets.seal(self.kind, self.config)
        super().save(*args, **kwargs)

    @property
    def plain_config(self) -> dict:
        """This row's own configuration with its credentials decrypted."""
        return secrets.open_config(self.kind, self.config or {})

    @property
    def masked_config(self) -> dict:
        """This row's own configuration as it may be shown: credentials as their last four."""
        return secrets.masked(self.kind, self.config or {})


class ChannelConfig(ValidatedOnSave):
    """An office-level channel: a unit's group robot or webhook, or a provider account.

    Linked to a unit, it receives every message addressed to that unit's people (one copy per
    message, however many of them are addressed). Without a unit it is only an account — for
    instance SMS provider keys — that people's own channels refer to.
    """

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("渠道"), max_length=20, choices=CONFIGURABLE_KINDS)
    unit = models.ForeignKey(Unit, verbose_name=_("接收单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="channel_configs",
                             help_text=_("发给该单位人员的通知同时发到此渠道；留空则仅作为个人渠道的共用账号"))
    config = models.JSONField(_("配置"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("单位通知渠道")
        verbose_name_plural = _("单位通知渠道")
        ordering = ["unit__name", "name"]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    def clean(self):
        check_config(self.kind, self.plain_config)
        check_addresses(self.plain_config)

    @property
    def effective_config(self) -> dict:
        return self.plain_config


class PersonChannel(ValidatedOnSave):
    """One of a person's own ways of being reached, tried in priority order.

    A `fallback` channel is held back and used only when the person's earlier channels all
    failed for good (a wrong number, a rejected token, retries exhausted).
    """

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE,
                               related_name="channels")
    kind = models.CharField(_("渠道"), max_length=20, choices=CONFIGURABLE_KINDS)
    address = models.CharField(_("接收地址"), max_length=254, blank=True,
                               help_text=_("手机号或邮箱；留空则使用人员档案中的手机号或账号邮箱"))
    account = models.ForeignKey(ChannelConfig, verbose_name=_("共用账号"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="person_channels",
                                help_text=_("如短信服务商密钥；本渠道的配置项覆盖其同名项"))
    config = models.JSONField(_("配置"), default=dict, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先顺序"), default=10,
                                                help_text=_("数字小的先发"))
    fallback = models.BooleanField(_("备用渠道"), default=False,
                                   help_text=_("仅在此前的渠道都失败时才发送"))
    enabled = models.BooleanField(_("启用"), default=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("个人通知渠道")
        verbose_name_plural = _("个人通知渠道")
        ordering = ["person", "priority", "id"]

    def __str__(self):
        return f"{self.person.name} · {self.get_kind_display()}"

    @property
    def effective_config(self) -> dict:
        base = self.account.plain_config if self.account_id else {}
        return {**base, **self.plain_config}

    def clean(self):
        if self.account_id and self.account.kind != self.kind:
            raise ValidationError({"account": _("共用账号的渠道类型必须与本渠道一致")})
        check_config(self.kind, self.effective_config)
        check_addresses(self.effective_config)
        if self.kind == ChannelKind.EMAIL and not (self.address or self._user_email()):
            raise ValidationError({"address": _("请填写邮箱地址（该人员账号也没有邮箱）")})
        if self.kind.startswith("sms_") and not (self.address or self._person_phone()):
            raise ValidationError({"address": _("请填写手机号（人员档案中也没有手机号）")})

    def recipient(self) -> str | None:
        """What the channel is given as the recipient: the address, else the person's own."""
        if self.address:
            return self.address
        if self.kind == ChannelKind.EMAIL:
            return self._user_email() or None
        if self.kind.startswith("sms_") or self.kind == ChannelKind.CONSOLE:
            return self._person_phone() or None
        return None

    def _user_email(self) -> str:
        person = self.person if self.person_id else None
        return getattr(getattr(person, "user", None), "email", "") or ""

    def _person_phone(self) -> str:
        return self.person.phone if self.person_id else ""


class NotifyEvent(models.TextChoices):
    REPORTED = "reported", _("报告舆情办时")  # C01: notify related departments at the same time
    MAJOR = "major", _("定为重大/特别重大时")  # C04, C14: the superior department and leadership


class NotifyRule(models.Model):
    """Plan data: which units are told when an incident reaches a point of the procedure.

    Without a plan the rule applies to incidents of every plan.
    """

    event = models.CharField(_("时点"), max_length=20, choices=NotifyEvent.choices)
    plan = models.ForeignKey(ResponsePlan, verbose_name=_("适用预案"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notify_rules")
    units = models.ManyToManyField(Unit, verbose_name=_("通知单位"), related_name="+")
    clause = models.CharField(_("预案条款"), max_length=10, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("通报规则")
        verbose_name_plural = _("通报规则")
        ordering = ["event", "id"]

    def __str__(self):
        return f"{self.get_event_display()} → {', '.join(u.name for u in self.units.all())}"
