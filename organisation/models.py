"""The office's organisation: units and the people in them (C14, C23)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("舆情应急处置工作领导小组办公室")
        LEADERSHIP = "leadership", _("领导小组")
        DEPARTMENT = "department", _("职能部门")
        PRESS = "press", _("新闻发布组")
        SUPERIOR = "superior", _("上级主管部门")

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("值班电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.PROTECT,
        related_name="person",
    )
    name = models.CharField(_("姓名"), max_length=60)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT,
                             related_name="people")
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("手机"), max_length=40, blank=True)
    is_monitor = models.BooleanField(_("本部门监测员"), default=False)  # C06

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["unit__name", "name"]

    def __str__(self):
        return f"{self.name}（{self.unit.name}）" if self.unit_id else self.name
