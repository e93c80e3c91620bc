"""Due times from plan windows.

Minute- and hour-based windows run round the clock. Day-based windows count calendar days, or
working days on the Chinese statutory calendar (holidays and make-up workdays from the
`chinese-calendar` package) minus the office's own closures. A day-based deadline falls at the
same local clock time on the n-th counted day after the day it starts.
"""
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from plans.models import OfficeClosure, WindowUnit

logger = logging.getLogger(__name__)


def office_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def is_statutory_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # Beyond the years the package knows (the State Council publishes each year's calendar
        # late in the year before): fall back to Monday–Friday until the package is updated.
        logger.warning("chinese-calendar has no data for %s; counting Mon–Fri", day.year)
        return day.weekday() < 5


def add_working_days(start: datetime, days: int, closures: set[date] | None = None) -> datetime:
    zone = office_zone()
    local = start.astimezone(zone)
    closures = closures if closures is not None else office_closures(local.date(), days)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_statutory_workday(day) and day not in closures:
            counted += 1
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)


def office_closures(start: date, days: int) -> set[date]:
    # Generous horizon: long holidays (Spring Festival, National Day) add up to ~10 days.
    horizon = start + timedelta(days=days * 3 + 21)
    return set(OfficeClosure.objects.filter(day__gt=start, day__lte=horizon)
               .values_list("day", flat=True))


def due_after(start: datetime, amount: int, unit: str) -> datetime:
    """The moment a window of `amount` `unit`s opened at `start` closes."""
    if unit == WindowUnit.MINUTES:
        return start + timedelta(minutes=amount)
    if unit == WindowUnit.HOURS:
        return start + timedelta(hours=amount)
    if unit == WindowUnit.CALENDAR_DAYS:
        local = start.astimezone(office_zone())
        return (local + timedelta(days=amount)).astimezone(start.tzinfo)
    if unit == WindowUnit.WORKING_DAYS:
        return add_working_days(start, amount).astimezone(start.tzinfo)
    raise ValueError(f"unknown window unit {unit!r}")
