"""Durations in natural Chinese, one helper for every page (incidents.durations)."""
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from incidents import durations

NOW = datetime(2026, 3, 2, 9, 40, tzinfo=UTC)


@pytest.mark.parametrize("seconds, said", [
    (90 * 60, "1小时30分"), (2 * 3600, "2小时"), (2 * 86400 + 3 * 3600, "2天3小时"),
    (3 * 86400, "3天"), (3 * 86400 + 59 * 60, "3天"), (45 * 60, "45分钟"),
    (59 * 60 + 50, "59分钟"), (46, "不到1分钟"), (0, "不到1分钟")])
def test_a_span_reads_as_its_two_largest_units_never_rounded_up(seconds, said):
    assert durations.span(seconds) == said


@pytest.mark.parametrize("seconds, said", [
    (46, "46秒"), (29 * 60 + 46, "29分46秒"), (5 * 60, "5分"), (0, "0秒"),
    (3600 + 60, "1小时1分")])
def test_a_ticking_countdown_shows_seconds_under_an_hour(seconds, said):
    assert durations.span(seconds, seconds_shown=True) == said


def test_at_0940_with_46_seconds_left_the_page_says_so_not_0_minutes():
    due = NOW + timedelta(seconds=46)
    assert durations.until(due, NOW) == "剩不到1分钟"
    assert durations.until(due, NOW, seconds_shown=True) == "剩46秒"


def test_past_its_due_time_a_deadline_reads_overdue_by_how_long():
    assert durations.until(NOW - timedelta(days=2, hours=3, minutes=5), NOW) == "已超时2天3小时"
    assert durations.until(NOW - timedelta(minutes=7), NOW) == "已超时7分钟"
    assert durations.until(NOW, NOW) == "已超时不到1分钟"  # at its due time it is due


@pytest.mark.parametrize("minutes, said", [
    (-4320, "提前3天"), (-90, "提前1小时30分"), (0, "按时"), (125, "迟2小时5分"), (3, "迟3分钟")])
def test_a_step_done_early_or_late_says_by_how_much(minutes, said):
    assert durations.lateness(minutes) == said


def test_in_english_the_words_come_from_the_translation():
    with translation.override("en"):
        assert durations.until(NOW + timedelta(hours=1, minutes=30), NOW) == "1 h 30 min left"
        assert durations.lateness(-4320) == "3 d early"
