"""Who watches what, and who is on duty when (C06).

A unit's watch list is a set of rules: topics and keywords with exclusions; a lead whose text a
rule matches is that unit's lead. A rule may open an incident on its own (any lead on a
sensitive topic). The duty roster is shifts per unit; the officer on shift when a lead arrives
is its default owner and the first rung of its ladder.
"""
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organisation.models import Person, Unit


class WatchRule(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="watch_rules")
    name = models.CharField(_("监测专题"), max_length=120)
    keywords = models.TextField(
        _("关键词"), help_text=_("每行一个；同一行用“+”连接的词须同时出现，如“食堂+变质”"))
    exclusions = models.TextField(_("排除词"), blank=True, help_text=_("每行一个；出现任一即不命中"))
    sensitive_topic = models.BooleanField(
        _("敏感领域"), default=False,
        help_text=_("涉及突发事件、民族、食品、卫生、自然灾害、产品质量、安全或保密（C08）"))
    opens_incident = models.BooleanField(_("命中即立为事件"), default=False)
    urgent = models.BooleanField(_("立为紧急事件"), default=False)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100,
                                                help_text=_("数字小者优先决定线索归属"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("监测规则")
        verbose_name_plural = _("监测规则")
        ordering = ["priority", "id"]

    def __str__(self):
        return f"{self.unit.name}：{self.name}"


class DutyShift(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="duty_shifts")
    person = models.ForeignKey(Person, verbose_name=_("值班员"), on_delete=models.PROTECT,
                               related_name="duty_shifts")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("值班班次")
        verbose_name_plural = _("值班表")
        ordering = ["unit", "starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                              name="shift_ends_after_it_starts")]
        indexes = [models.Index(fields=["unit", "starts_at"], name="shift_unit_start_idx")]

    def __str__(self):
        return (f"{self.unit.name} {self.person.name} "
                f"{self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}")
