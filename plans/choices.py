"""Enumerations of the plan's data: what is due, counted how, and who hears of a breach."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    REPORT = "report", _("向舆情办报告")  # C01, C03
    VERBAL_REPORT = "verbal_report", _("紧急口头汇报")  # C02
    WRITTEN_REPORT = "written_report", _("紧急书面汇报")  # C02
    FOLLOW_UP = "follow_up", _("续报")  # C05
    SUPERIOR_REPORT = "superior_report", _("向上级主管部门报告")  # C04
    REFERRAL_FORWARD = "referral_forward", _("转办职能部门")  # C11
    REFERRAL_REPLY = "referral_reply", _("抄告单书面答复")  # C12
    REFERRAL_SUPERVISION = "referral_supervision", _("抄告单督办")  # C13
    TRACKING_CHECK = "tracking_check", _("跟踪研判")  # C22
    SUMMARY = "summary", _("书面总结")  # C19
    LEAD_TRIAGE = "lead_triage", _("线索研判")  # C06 (intake: a lead untouched this long escalates)


class WindowUnit(models.TextChoices):
    MINUTES = "minutes", _("分钟")
    HOURS = "hours", _("小时")
    CALENDAR_DAYS = "calendar_days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")


class WindowAnchor(models.TextChoices):
    """What a deadline window is counted from."""

    DISCOVERED = "discovered", _("发现时间")
    VERBAL_REPORT = "verbal_report", _("口头汇报时间")
    OBLIGATION_START = "obligation_start", _("义务产生时间")


class Audience(models.TextChoices):
    """Who a rung of the escalation ladder notifies."""

    OWNER = "owner", _("责任人")
    OFFICE = "office", _("舆情办")
    LEADERSHIP = "leadership", _("领导小组")
    SUPERIOR = "superior", _("上级主管部门")
