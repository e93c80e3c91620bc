"""What every document kind shares: the request, language, dates and times, labels, letterhead.

Wording is Chinese first, with the English next to it (``say``). Enumeration labels come from
the project's message catalogue, falling back to ``ENGLISH_CHOICES`` where it has no entry.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone, translation
from reportlab.lib import colors

from briefings.layout import CHINESE_LABELS, ENGLISH_LABELS, Letterhead
from incidents.models import Deadline, Incident
from responses.approval import approver_of_record

ENGLISH_CHOICES = {
    # Severity, Category, Stage, Channel
    "general": "General", "major": "Major", "especially_major": "Especially major",
    "inquiry": "Inquiry / doubt / appeal", "hype": "Malicious spreading or hype",
    "fabrication": "Fabrication, slander, incitement, illegal",
    "constructive": "Constructive suggestion",
    "latent": "Latent", "outbreak": "Outbreak", "persistent": "Persistent", "ending": "Ending",
    "phone": "phone", "written": "in writing", "system": "system",
    # Incident states
    "detected": "Detected", "reported": "Reported", "classified": "Classified",
    "responded": "Responded", "reviewed": "Reviewed", "dismissed": "Dismissed",
    "merged": "Merged",
    # Deadline kinds
    "report": "Report to the office", "verbal_report": "Urgent verbal report",
    "written_report": "Urgent written report", "follow_up": "Follow-up report",
    "superior_report": "Report to superior department",
    "referral_forward": "Forward to department", "referral_reply": "Referral written reply",
    "summary": "Written summary",
    # Audiences of the escalation ladder
    "owner": "Owner", "office": "Office", "leadership": "Leadership group",
    "superior": "Superior department",
    # Deadline and escalation states
    "pending": "Pending", "met": "Met", "breached": "Breached", "cancelled": "Cancelled",
    "open": "Escalating", "acknowledged": "Acknowledged", "exhausted": "Top level reached",
    "resolved": "Obligation met later",
}

ENGLISH_EVENTS = {
    "detected": "Detected", "reported": "Reported to the office", "verbal_report": "Verbal report",
    "written_report": "Written report", "follow_up_report": "Follow-up report",
    "superior_report": "Reported to superior", "classified": "Classified",
    "severity_upgraded": "Severity upgraded", "metrics_recorded": "Metrics recorded",
    "responded": "Responded", "reviewed": "Reviewed", "dismissed": "Dismissed",
    "merged": "Merged", "owner_changed": "Owner unit changed",
    "leader_changed": "Accountable leader changed", "deadline_opened": "Deadline opened",
    "deadline_met": "Deadline met", "deadline_warning": "Deadline warning",
    "deadline_breached": "Deadline breached", "deadline_recomputed": "Deadline recomputed",
    "deadline_cancelled": "Deadline cancelled", "escalated": "Escalated",
    "acknowledged": "Acknowledged", "notification": "Notification delivered",
    "briefing_filed": "Document filed", "note": "Note",
}



@dataclass
class Request:
    """What to write: the kind's subject, the letterhead, the number and the language."""

    template: "object"  # briefings.models.BriefingTemplate
    language: str = "zh-hans"
    document_number: str = ""
    issued_on: date | None = None
    incident: Incident | None = None
    period_from: date | None = None
    period_to: date | None = None
    follow_up_number: int | None = None
    referral: "object" = None  # referrals.models.Referral, for a referral_slip
    now: datetime = field(default_factory=timezone.now)

    @property
    def english(self) -> bool:
        return self.language.startswith("en")

    @property
    def labels(self):
        return ENGLISH_LABELS if self.english else CHINESE_LABELS

    @property
    def day(self) -> date:
        return self.issued_on or timezone.localdate(self.now)


def is_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def say(chinese: str, english: str) -> str:
    """The document's own wording in the active language.

    Not gettext: the project catalogue translates the same Chinese words for buttons and
    field labels ("研判定级" → "Classify"), which is not how a report's heading reads.
    """
    return english if is_english() else chinese


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


def choice(value: str, label) -> str:
    """An enumeration's label in the active language (``label`` is its get_FOO_display())."""
    if not value:
        return say("未定", "Not set")
    text = str(label)
    if is_english() and _has_cjk(text):
        return ENGLISH_CHOICES.get(value, text)
    return text


def event_label(entry) -> str:
    text = entry.get_event_display()
    if is_english() and _has_cjk(text):
        return ENGLISH_EVENTS.get(entry.event, entry.event)
    return text


def deadline_kind(deadline: Deadline) -> str:
    return choice(deadline.kind, deadline.get_kind_display())


def local(moment: datetime | None) -> str:
    """A moment in the office's time zone: 2026年3月1日 9:05 / 1 Mar 2026 09:05."""
    if moment is None:
        return "—"
    moment = timezone.localtime(moment)
    if is_english():
        return f"{moment.day} {moment:%b %Y %H:%M}"
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment.hour}:{moment:%M}"


def short_time(moment: datetime | None) -> str:
    """Month, day and time only, for tables: 3月1日 9:05 / 1 Mar 09:05."""
    if moment is None:
        return "—"
    moment = timezone.localtime(moment)
    if is_english():
        return f"{moment.day} {moment:%b %H:%M}"
    return f"{moment.month}月{moment.day}日 {moment.hour}:{moment:%M}"


def day_text(day: date) -> str:
    if is_english():
        return f"{day.day} {day:%B %Y}"
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(day_from: date, day_to: date) -> str:
    """2026年3月1日至7日 / 2026年3月1日至4月2日 / 1 to 7 March 2026: no repeated year or month,
    so a title does not break inside a date it did not need."""
    if day_from == day_to:
        return day_text(day_from)
    if is_english():
        if (day_from.year, day_from.month) == (day_to.year, day_to.month):
            return f"{day_from.day} to {day_to.day} {day_to:%B %Y}"
        return f"{day_text(day_from)} to {day_text(day_to)}"
    if day_from.year != day_to.year:
        return f"{day_text(day_from)}至{day_text(day_to)}"
    if day_from.month != day_to.month:
        return f"{day_text(day_from)}至{day_to.month}月{day_to.day}日"
    return f"{day_text(day_from)}至{day_to.day}日"


def minutes_text(minutes: int) -> str:
    """A span of minutes as a reader says it: 35分钟, 2小时5分钟, 1天3小时."""
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if is_english():
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
                 f"{mins} min" if mins or not (days or hours) else ""]
        return " ".join(part for part in parts if part)
    parts = [f"{days}天" if days else "", f"{hours}小时" if hours else "",
             f"{mins}分钟" if mins or not (days or hours) else ""]
    return "".join(parts)


def deadline_outcome(deadline: Deadline, now: datetime) -> str:
    """按时（提前 12 分钟） / 逾期（迟 35 分钟） / 补录（称 … 履行，… 记录） / 未履行（已超时 …） /
    待履行 / 已撤销. Overdue and late are DeadlineQuerySet's readings."""
    if deadline.recorded_late:
        return recorded_late_text(deadline)
    late = deadline.minutes_late
    if late is not None:
        if not deadline.is_late:
            return say("按时（提前%s）", "On time (%s early)") % minutes_text(late)
        return say("逾期（迟%s）", "Late (%s late)") % minutes_text(late)
    if deadline.state == Deadline.State.CANCELLED:
        return say("已撤销", "Cancelled")
    if deadline.is_overdue(now):
        overdue = deadline.minutes_overdue(now) or 0
        return say("未履行（已超时%s）", "Not met (%s overdue)") % minutes_text(overdue)
    return say("待履行", "Pending")


def recorded_late_text(deadline: Deadline) -> str:
    """补录: the stated time and the recorded time, and the breach the record kept (C21)."""
    values = {"stated": short_time(deadline.met_at),
              "recorded": short_time(deadline.met_recorded_at),
              "breached": short_time(deadline.breached_at)}
    if deadline.breached_at is not None:
        return say("补录（称%(stated)s履行，%(recorded)s记录；%(breached)s已判定超时）",
                   "Recorded late (stated %(stated)s, recorded %(recorded)s; breached "
                   "%(breached)s)") % values
    return say("补录（称%(stated)s履行，%(recorded)s记录）",
               "Recorded late (stated %(stated)s, recorded %(recorded)s)") % values


def is_late(deadline: Deadline) -> bool:
    """迟报: done, but late: after the due time, or after the breach was recorded (补录) (C21)."""
    return deadline.met_at is not None and deadline.is_late


def is_missed(deadline: Deadline) -> bool:
    """漏报: breached and never done (C21)."""
    return deadline.met_at is None and deadline.is_late


HEADLINE_LIMIT = 60
_JOINING = re.compile(r"[\u200d\ufe00-\ufe0f\u0300-\u036f\U0001F3FB-\U0001F3FF]")


def headline(title: str, limit: int = HEADLINE_LIMIT) -> str:
    """An incident title fit for a document title: whitespace tidied, and a very long one
    shortened with …… (never inside an emoji sequence or before a combining mark); the body
    still prints it in full."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = limit
    while cut > 1 and (_JOINING.match(title[cut]) or _JOINING.match(title[cut - 1])):
        cut -= 1
    return title[:cut].rstrip() + "……"


def letterhead(template) -> Letterhead:
    return Letterhead(issuer=template.issuer, suffix=say("文件", ""),
                      show_suffix=template.show_suffix and not is_english(),
                      red=colors.HexColor(template.red_colour),
                      printing_unit=template.printing_unit or template.issuer)


def signer(template, incident=None) -> str:
    """签发人 of a report on an incident: the approver of record and the time they approved
    (responses.approval, C16), or nothing. A name typed into the template is not used: nobody
    signed as it."""
    if incident is None:
        return ""
    record = approver_of_record(incident)
    if record is None:
        return ""
    person, at = record
    return say("%(name)s（%(at)s审定）", "%(name)s (approved %(at)s)") % {
        "name": person.name, "at": local(at)}


def numbered(index: int) -> str:
    """Section numbers of a Chinese official document: 一、二、… (1. 2. … in English)."""
    if is_english():
        return f"{index}. "
    digits = "零一二三四五六七八九十"
    if index <= 10:
        text = digits[index]
    elif index < 20:
        text = "十" + digits[index - 10]
    else:
        text = digits[index // 10] + "十" + (digits[index % 10] if index % 10 else "")
    return text + "、"


def sub_numbered(index: int) -> str:
    """（一）（二）… for the second level."""
    if is_english():
        return f"({index}) "
    return f"（{numbered(index)[:-1]}）"


class Sections:
    """Numbers level-1 headings as they are added, so an omitted section leaves no gap."""

    def __init__(self):
        self.count = 0

    def next(self, text: str) -> str:
        self.count += 1
        return numbered(self.count) + text
