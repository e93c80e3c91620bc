"""Enumerations shared by plans, incidents and deadlines."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Content category, which decides the handling (C10)."""

    INQUIRY = "inquiry", _("咨询、质疑、诉求类")  # C10a
    HYPE = "hype", _("恶意传播、炒作类")  # C10b
    FABRICATION = "fabrication", _("捏造、诬蔑、煽动、违法类")  # C10c
    CONSTRUCTIVE = "constructive", _("建设性意见类")  # C10d


class Severity(models.TextChoices):
    """Severity from heat (C08); ordered from lowest to highest."""

    GENERAL = "general", _("一般")
    MAJOR = "major", _("重大")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大")

    @classmethod
    def rank(cls, value: str | None) -> int:
        order = [None, cls.GENERAL, cls.MAJOR, cls.ESPECIALLY_MAJOR]
        return order.index(value)

    @classmethod
    def is_major(cls, value: str | None) -> bool:
        return value in (cls.MAJOR, cls.ESPECIALLY_MAJOR)


class Stage(models.TextChoices):
    """Life stage of an incident (C07)."""

    LATENT = "latent", _("潜伏期")
    OUTBREAK = "outbreak", _("爆发期")
    PERSISTENT = "persistent", _("持续期")
    ENDING = "ending", _("终止期")


class Channel(models.TextChoices):
    """How a step was communicated (C24)."""

    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")
    SYSTEM = "system", _("系统")


class DeadlineKind(models.TextChoices):
    REPORT = "report", _("向舆情办报告")  # C01, C03
    VERBAL_REPORT = "verbal_report", _("紧急口头汇报")  # C02
    WRITTEN_REPORT = "written_report", _("紧急书面汇报")  # C02
    FOLLOW_UP = "follow_up", _("续报")  # C05
    SUPERIOR_REPORT = "superior_report", _("向上级主管部门报告")  # C04
    REFERRAL_FORWARD = "referral_forward", _("转办职能部门")  # C11
    REFERRAL_REPLY = "referral_reply", _("抄告单书面答复")  # C12
    SUMMARY = "summary", _("书面总结")  # C19


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
