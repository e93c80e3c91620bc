"""Day-based windows on the Chinese statutory calendar; hour windows round the clock."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from plans.models import OfficeClosure
from plans.windows import due_after

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_c12_three_working_days_skip_the_national_day_holiday():
    # Monday 2026-09-28 15:00; 2026-10-01..07 is the National Day holiday, and
    # Sunday 2026-09-27 / Saturday 2026-10-10 are make-up workdays.
    start = datetime(2026, 9, 28, 15, 0, tzinfo=SH)
    assert due_after(start, 3, "working_days") == datetime(2026, 10, 8, 15, 0, tzinfo=SH)


def test_c12_make_up_workday_counts_as_a_working_day():
    start = datetime(2026, 10, 8, 9, 0, tzinfo=SH)  # Thursday
    # Fri 9th, Sat 10th (调休 workday), Mon 12th.
    assert due_after(start, 3, "working_days") == datetime(2026, 10, 12, 9, 0, tzinfo=SH)


def test_c12_office_closure_is_skipped_too():
    OfficeClosure.objects.create(day=datetime(2026, 11, 24).date(), reason="单位停电检修")
    start = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # Monday
    assert due_after(start, 2, "working_days") == datetime(2026, 11, 26, 10, 0, tzinfo=SH)


def test_c19_calendar_days_include_weekends():
    start = datetime(2026, 11, 27, 18, 0, tzinfo=SH)  # Friday
    assert due_after(start, 3, "calendar_days") == datetime(2026, 11, 30, 18, 0, tzinfo=SH)


def test_c01_hour_window_runs_round_the_clock_over_a_holiday():
    start = datetime(2026, 10, 1, 23, 30, tzinfo=SH)
    assert due_after(start, 2, "hours") == datetime(2026, 10, 2, 1, 30, tzinfo=SH)
