"""How long, in natural Chinese: 剩1小时30分, 已超时2天3小时, 提前3天.

One definition for every page: the templates' filters (incidents.templatetags.durations) and
the page's live countdown (console/static/console/countdown.js) both say a span as its two
largest units, and the script takes its words from `WORDS` (rendered into the page with
`json_script`), so a countdown reads the same before and after its first tick.

How a span reads (its two largest units, never rounded up) is opinion_ops.durations.span.
"""
from datetime import datetime

# The words and the span are the wiring's (the API says a 429's wait with them too).
from opinion_ops.durations import DAY, HOUR, MINUTE, span, words  # noqa: F401


def until(due_at: datetime, now: datetime, *, seconds_shown: bool = False) -> str:
    """What is left of a deadline at `now`: 剩1小时30分, or 已超时2天3小时 once it is due."""
    left = (due_at - now).total_seconds()
    said = words()
    if left > 0:
        return said["left"] % {"d": span(left, seconds_shown=seconds_shown)}
    return said["overdue"] % {"d": span(-left, seconds_shown=seconds_shown)}


def lateness(minutes: int) -> str:
    """A step done `minutes` after its due time (negative: before): 迟2小时, 提前3天, 按时."""
    said = words()
    if minutes == 0:
        return said["on_time"]
    key = "late" if minutes > 0 else "early"
    return said[key] % {"d": span(abs(minutes) * MINUTE)}
