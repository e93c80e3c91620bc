"""How long, in natural Chinese (剩1小时30分, 45分钟, 29分46秒): the words of a span and the span
itself, in the active language. Wiring with no app beneath it, so the API's refusals (the 429's
"try again in …", opinion_ops.api) say a wait the same way as the incident pages, whose
deadline phrasing (until, lateness) is in incidents.durations on top of this.

- A span of days reads in days and hours (3天, 2天3小时); of hours, in hours and minutes
  (1小时30分, 2小时); under an hour, in minutes (45分钟); with `seconds=True` (a countdown
  ticking each second) in minutes and seconds (29分46秒, 46秒). Under a minute without seconds
  reads 不到1分钟, never "0 分钟".
- The lower unit is dropped when it is zero; a span is never rounded up into the next unit
  (59 minutes 50 seconds is 59分钟: a countdown never says more time is left than there is).
"""
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language, gettext as _

MINUTE, HOUR, DAY = 60, 3600, 86400

# The words of each language, translated once: a board of eighty countdowns asked gettext for
# the same twelve words twice a card (bench/console.py).
_WORDS_BY_LANGUAGE: dict[str | None, dict[str, str]] = {}


@receiver(setting_changed)
def _forget_the_words(*, setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _WORDS_BY_LANGUAGE.clear()


def words() -> dict[str, str]:
    """The words of a span in the active language, `%(n)s` (a number) and `%(d)s` (a span)
    as placeholders; the countdown script reads the same dictionary. Shared between calls:
    read it, never change it."""
    language = get_language()
    said = _WORDS_BY_LANGUAGE.get(language)
    if said is None:
        said = _WORDS_BY_LANGUAGE[language] = _translated_words()
    return said


def _translated_words() -> dict[str, str]:
    return {
        "day": _("%(n)s天"), "hour": _("%(n)s小时"), "minute_after_hour": _("%(n)s分"),
        "minute": _("%(n)s分钟"), "minute_before_second": _("%(n)s分"),
        "second": _("%(n)s秒"), "under_minute": _("不到1分钟"),
        "left": _("剩%(d)s"), "overdue": _("已超时%(d)s"), "early": _("提前%(d)s"),
        "late": _("迟%(d)s"), "on_time": _("按时"),
    }


def span(seconds: float, *, seconds_shown: bool = False) -> str:
    """A non-negative span of time as its two largest units (see the module docstring)."""
    said = words()
    total = max(0, int(seconds))
    days, rest = divmod(total, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes, secs = divmod(rest, MINUTE)
    if days:
        parts = [said["day"] % {"n": days}] + ([said["hour"] % {"n": hours}] if hours else [])
    elif hours:
        parts = [said["hour"] % {"n": hours}] + (
            [said["minute_after_hour"] % {"n": minutes}] if minutes else [])
    elif seconds_shown:
        parts = ([said["minute_before_second"] % {"n": minutes}] if minutes else []) + (
            [said["second"] % {"n": secs}] if secs or not minutes else [])
    elif minutes:
        parts = [said["minute"] % {"n": minutes}]
    else:
        parts = [said["under_minute"]]
    # A translation spaces its units itself (" 1 h", " 30 min"); Chinese puts nothing between.
    return "".join(parts).strip()
