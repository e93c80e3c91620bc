"""The incident's append-only record (C24): who did what, when, by which channel.

Rows are only ever inserted. The model, its queryset and (for PostgreSQL and SQLite) database
triggers refuse updates and deletes, so neither the ORM, the admin, the API nor a stray SQL
statement can alter what was recorded. The same guards hold the deadline and escalation
history (DeadlineChange, EscalationChange): triggers of migration 0002 for the timeline and
of migration 0006 for the history tables and the deadline row.
"""
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opinion_ops.choice_labels import CachedChoiceLabels

from .choices import Channel
from .incident import Incident, State


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a record that is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be deleted")

    _raw_delete = delete

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        # An upsert (INSERT … ON CONFLICT DO UPDATE) would rewrite the row it collides with.
        if update_conflicts:
            raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")
        return super().bulk_create(objs, *args, **kwargs)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")


class AppendOnlyModel(CachedChoiceLabels, models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class ChainedQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        from incidents import chain

        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.seal(objs)
            return super().bulk_create(objs, *args, **kwargs)


class ChainedRecord(AppendOnlyModel):
    """An append-only row that is a link of its incident's hash chain (C24; incidents.chain):
    sealed in the transaction that inserts it, whether by save() or bulk_create()."""

    chain_index = models.PositiveIntegerField(_("链序号"), default=0, editable=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be updated")
        from incidents import chain

        with transaction.atomic(using=kwargs.get("using")):
            chain.seal([self])
            super().save(*args, **kwargs)


class Event(models.TextChoices):
    DETECTED = "detected", _("登记发现")
    REPORTED = "reported", _("报告舆情办")
    VERBAL_REPORT = "verbal_report", _("口头汇报")
    WRITTEN_REPORT = "written_report", _("书面汇报")
    FOLLOW_UP_REPORT = "follow_up_report", _("续报")
    SUPERIOR_REPORT = "superior_report", _("报告上级主管部门")
    CLASSIFIED = "classified", _("研判定级")
    SEVERITY_UPGRADED = "severity_upgraded", _("升级")
    METRICS_RECORDED = "metrics_recorded", _("记录传播数据")
    RESPONDED = "responded", _("处置回应")
    REVIEWED = "reviewed", _("复盘评估")
    DISMISSED = "dismissed", _("排除")
    MERGED = "merged", _("合并")
    OWNER_CHANGED = "owner_changed", _("变更责任单位")
    LEADER_CHANGED = "leader_changed", _("变更责任领导")
    DEADLINE_OPENED = "deadline_opened", _("时限开始")
    DEADLINE_MET = "deadline_met", _("时限已履行")
    DEADLINE_WARNING = "deadline_warning", _("时限预警")
    DEADLINE_BREACHED = "deadline_breached", _("超时")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("时限重算")
    DEADLINE_CANCELLED = "deadline_cancelled", _("时限撤销")
    ESCALATED = "escalated", _("升级通知")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    NOTIFICATION = "notification", _("通知投递")
    BRIEFING_FILED = "briefing_filed", _("报送文稿")
    NOTE = "note", _("备注")
    SPREADING_MARKED = "spreading_marked", _("标记扩散或难以化解")  # C09
    REFERRED = "referred", _("签发抄告单")  # C11
    REFERRAL_REPLIED = "referral_replied", _("抄告单书面答复")  # C12
    REFERRAL_EXTENDED = "referral_extended", _("抄告单延期")  # C12
    REFERRAL_APPROVED = "referral_approved", _("审定答复")  # C12
    REFERRAL_RETURNED = "referral_returned", _("退回答复")  # C12
    REFERRAL_SUPERVISED = "referral_supervised", _("督办")  # C13
    TRACKING_ASSIGNED = "tracking_assigned", _("指定跟踪人员")  # C22
    TRACKING_CHECKED = "tracking_checked", _("跟踪研判")  # C22
    RESOLVED = "resolved", _("确认化解")  # C22
    RELAPSED = "relapsed", _("舆情反弹")  # C22
    PLAYBOOK_STEP_DONE = "playbook_step_done", _("完成分类处置步骤")  # C10a–d
    SEVERITY_LOWERED = "severity_lowered", _("降级")  # C08 (office only, with a reason)
    RESPONSE_DRAFTED = "response_drafted", _("起草回应稿")  # C16
    RESPONSE_REVISED = "response_revised", _("修改回应稿")  # C16
    RESPONSE_APPROVED = "response_approved", _("审定回应稿")  # C16
    RESPONSE_REJECTED = "response_rejected", _("退回回应稿")  # C16
    RESPONSE_PUBLISHED = "response_published", _("发布回应")  # C17
    SPOKESPERSON_DESIGNATED = "spokesperson_designated", _("指定新闻发言人")  # C14, C17
    PRESS_GROUP_SET_UP = "press_group_set_up", _("成立新闻发布组")  # C14
    MEETING_HELD = "meeting_held", _("召开会议")  # C14, C15
    MEETING_TASK_DONE = "meeting_task_done", _("会议任务完成")  # C15
    LEADERSHIP_REPORT = "leadership_report", _("舆情办向领导小组报告")  # C14
    INVESTIGATION_ORDERED = "investigation_ordered", _("责成涉事单位调查")  # C14
    STATEMENT_ADOPTED = "statement_adopted", _("口径入库")  # C15
    BULLETIN_ISSUED = "bulletin_issued", _("发布网络舆情通报")  # C18


class TimelineEntry(ChainedRecord):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)
    # When the step happened, as stated by the actor (a phone call logged ten minutes later).
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=120)
    event = models.CharField(_("事项"), max_length=30, choices=Event.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices, blank=True)
    channel = models.CharField(_("方式"), max_length=20, choices=Channel.choices,
                               default=Channel.SYSTEM)
    recipient = models.CharField(_("报告对象"), max_length=200, blank=True)
    clause = models.CharField(_("预案条款"), max_length=10, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    # 补录: stated more than the plan's tolerance before it was recorded; auditors see it, with
    # the reason the person gave (C21).
    recorded_late = models.BooleanField(_("补录"), default=False)
    late_reason = models.TextField(_("补录原因"), blank=True)

    class Meta:
        verbose_name = _("时间线记录")
        verbose_name_plural = _("时间线记录")
        ordering = ["incident", "recorded_at", "id"]

    def __str__(self):
        return f"{self.recorded_at:%Y-%m-%d %H:%M} {self.get_event_display()}"
