"""Snapshots of an incident's spread over time (C07)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Stage
from .incident import Incident


class MetricSnapshot(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="metrics")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    clicks = models.PositiveIntegerField(_("点击量"), default=0)
    comments = models.PositiveIntegerField(_("评论数"), default=0)
    follow_up_posts = models.PositiveIntegerField(_("跟帖数"), default=0)
    mainstream_sites = models.PositiveIntegerField(_("主流网站转载数"), default=0)
    heat_index = models.DecimalField(_("热度指数"), max_digits=8, decimal_places=2, null=True,
                                     blank=True)
    sensitive_topic = models.BooleanField(_("涉及敏感领域"), default=False)
    # Codes of the plan's sensitive topics (plans.SensitiveTopic) the incident touches (C08).
    topics = models.JSONField(_("涉及的敏感领域"), default=list, blank=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices)
    # Why the stage went back (e.g. 反弹 from ending to outbreak); required then (C07).
    stage_reason = models.TextField(_("阶段回退原因"), blank=True)
    cause = models.TextField(_("起因"), blank=True)
    attention = models.TextField(_("关注点"), blank=True)

    class Meta:
        verbose_name = _("传播数据")
        verbose_name_plural = _("传播数据")
        ordering = ["incident", "recorded_at"]
