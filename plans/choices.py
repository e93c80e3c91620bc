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
    RESPONSE_APPROVAL = "response_approval", _("回应稿审定")  # C16
    EMERGENCY_MEETING = "emergency_meeting", _("召开紧急会议")  # C14
    PRESS_GROUP = "press_group", _("成立新闻发布组并指定发言人")  # C14
    OFFICE_REPORT = "office_report", _("舆情办向领导小组报告")  # C14
    INVESTIGATION_ORDER = "investigation_order", _("责成涉事单位调查")  # C14
    MEETING_TASK = "meeting_task", _("会议交办任务")  # C14, C15 (each task sets its own due time)
    BULLETIN = "bulletin", _("网络舆情通报")  # C18
    PLAYBOOK_STEP = "playbook_step", _("分类处置步骤")  # C10a–d (each step its own window)


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


class Severity(models.TextChoices):
    """Severity from heat (C08); ordered from lowest to highest. The plan's scale: its
    thresholds (C08) and its approval rules (C16) are stated in it."""

    GENERAL = "general", _("一般")
    MAJOR = "major", _("重大")
    ESPECIALLY_MAJOR = "especially_major", _("特别重大")

    @classmethod
    def rank(cls, value: str | None) -> int:
        order = [None, cls.GENERAL, cls.MAJOR, cls.ESPECIALLY_MAJOR]
        return order.index(value or None)

    @classmethod
    def is_major(cls, value: str | None) -> bool:
        return value in (cls.MAJOR, cls.ESPECIALLY_MAJOR)


class ResponseKind(models.TextChoices):
    """The kinds of public response a draft can be (C10a, C15, C16, C18)."""

    REPLY = "reply", _("回复网民")
    UNIFIED_REPLY = "unified_reply", _("统一答复")  # C10a
    PRESS_RELEASE = "press_release", _("新闻通稿")  # C15, with its agreed wording (口径)
    STATEMENT = "statement", _("声明")
    POST = "post", _("微博/公众号发布")  # C18
    TALKING_POINTS = "talking_points", _("发布会答问口径")  # C18


class ApproverAudience(models.TextChoices):
    """Who approves a kind of response (C10a, C16)."""

    ACCOUNTABLE_LEADER = "accountable_leader", _("事件责任领导")
    OWNER_UNIT_HEAD = "owner_unit_head", _("责任部门负责人")
    LEADERSHIP = "leadership", _("领导小组成员")


class ApprovalQuorum(models.TextChoices):
    ANY = "any", _("任一人审定")
    ALL = "all", _("全体审定")


class RespondGate(models.TextChoices):
    """What an incident needs of this kind of response before it may be marked responded."""

    NONE = "none", _("不作要求")
    APPROVED = "approved", _("须有经审定的回应稿")
    PUBLISHED = "published", _("须有经审定并已发布的回应")


class StepOwner(models.TextChoices):
    """Who owes a step of a category's playbook (C10a–d)."""

    LEAD_UNIT = "lead_unit", _("责任部门")
    OFFICE = "office", _("舆情办")
    PRESS_GROUP = "press_group", _("新闻发布组")


class AnnouncementPoint(models.TextChoices):
    """A point of the procedure at which the plan has units told (C01, C04)."""

    REPORTED = "reported", _("报告舆情办时")  # C01: related departments at the same time
    MAJOR = "major", _("定为重大/特别重大时")  # C04: level by level, and dual


class AnnouncementAudience(models.TextChoices):
    """Who is told at that point: units the incident names, or units of a kind."""

    RELATED = "related", _("事件相关部门")
    SUPERIOR = "superior", _("上级主管部门")
    LEADERSHIP = "leadership", _("领导小组")
