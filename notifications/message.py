"""What a notification says, independent of the channel that carries it.

Channels render a Message in their own shape (robot markdown, SMS text, e-mail, JSON); the
labels and the office-time formatting live here once so every channel says the same thing.
"""
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

DISPLAY_TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class Message:
    """One notification about one obligation of one incident.

    `overdue_minutes` is 0 while the deadline is still ahead; `ack_url` is None when the
    recipient is not asked to acknowledge (for instance an informational copy).
    """

    title: str
    incident_id: str
    incident_title: str
    deadline_label: str
    due_at: datetime
    overdue_minutes: int
    clause: str
    escalation_level: int
    action_url: str
    ack_url: str | None = None
    body: str = ""

    def __post_init__(self):
        # A naive time would be read in whatever zone the worker runs in; refuse it early.
        if self.due_at.tzinfo is None or self.due_at.utcoffset() is None:
            raise ValueError("Message.due_at must be an aware datetime")
        for name in ("action_url", "ack_url"):
            url = getattr(self, name)
            if url is not None and not _is_absolute(url):
                raise ValueError(f"Message.{name} must be an absolute http(s) URL, got {url!r}")

    @property
    def is_overdue(self) -> bool:
        return self.overdue_minutes > 0

    def due_display(self) -> str:
        """The due time in the office's zone, e.g. '2026-11-23 14:30'."""
        office_zone = ZoneInfo(settings.TIME_ZONE)
        return self.due_at.astimezone(office_zone).strftime(DISPLAY_TIME_FORMAT)

    def incident_display(self) -> str:
        return f"{self.incident_id} {self.incident_title}".strip()

    def status_display(self) -> str:
        """'已超时 15 分钟' once overdue, otherwise '截止 2026-11-23 14:30'."""
        if self.is_overdue:
            return _("已超时 %(minutes)s 分钟") % {"minutes": self.overdue_minutes}
        return _("截止 %(due)s") % {"due": self.due_display()}

    def facts(self) -> list[tuple[str, str]]:
        """The labelled lines every long-form channel shows, in reading order."""
        facts = [
            (_("事件"), self.incident_display()),
            (_("事项"), self.deadline_label),
            (_("截止时间"), self.due_display()),
        ]
        if self.is_overdue:
            facts.append((_("状态"), self.status_display()))
        facts.append((_("预案条款"), self.clause))
        facts.append((_("升级级别"), str(self.escalation_level)))
        return facts

    @staticmethod
    def action_label() -> str:
        return _("立即处理")

    @staticmethod
    def ack_label() -> str:
        return _("确认收到")


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)
