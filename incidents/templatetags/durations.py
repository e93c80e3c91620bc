"""Natural-Chinese durations in templates (incidents.durations), and the live countdown.

`{% countdown deadline now %}` renders a deadline's remaining time as text the page reads
without script (剩1小时30分, 已超时5分钟), with the due time, the plan's warning time and the
server's clock as data attributes; console/static/console/countdown.js ticks it each second
from the server's clock (never the browser's), amber in the warning window, red once due.
`{% duration_words %}` puts the words the script uses into the page as JSON, once.
"""
from datetime import datetime, timedelta

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from incidents import durations

register = template.Library()


def page_clock(now: datetime) -> datetime:
    """The time a page's countdown starts from: the server's, shifted by
    CONSOLE_CLOCK_SHIFT_SECONDS (a test setting, 0 otherwise) so a browser test sees a
    deadline fall due without waiting for it."""
    return now + timedelta(seconds=getattr(settings, "CONSOLE_CLOCK_SHIFT_SECONDS", 0))


def _ms(moment: datetime | None) -> str:
    return "" if moment is None else str(round(moment.timestamp() * 1000))


def phase(deadline, now: datetime) -> str:
    """ok, warning (in the plan's warning window) or overdue, as DeadlineQuerySet reads it."""
    if deadline.is_overdue(now):
        return "overdue"
    if deadline.warn_at is not None and deadline.warn_at <= now:
        return "warning"
    return "ok"


@register.simple_tag
def countdown(deadline, now: datetime | None = None):
    # Built here, not from a template of its own: a board or a list renders dozens, and an
    # inclusion tag's template render per row was a share of their time (bench/console.py).
    now = page_clock(now or timezone.now())
    return format_html(
        '<span class="countdown {}" data-due="{}" data-warn="{}" data-now="{}" role="timer" '
        'aria-live="off">{}</span>', phase(deadline, now), _ms(deadline.due_at),
        _ms(deadline.warn_at), _ms(now), durations.until(deadline.due_at, now))


@register.filter
def lateness(minutes) -> str:
    """Minutes after the due time (negative: before) as 迟2小时 / 提前3天 / 按时."""
    return "" if minutes is None else durations.lateness(int(minutes))


@register.filter
def overdue_for(deadline, now: datetime) -> str:
    """How long a deadline still owed has been overdue at `now`: 已超时2天3小时."""
    return durations.until(deadline.due_at, now)


@register.inclusion_tag("incidents/_duration_words.html")
def duration_words():
    return {"words": durations.words()}
