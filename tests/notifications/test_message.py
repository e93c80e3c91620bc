from dataclasses import replace
from datetime import datetime, timezone

import pytest

from notifications.channels.sms.text import FIELD_NAMES, render_sms_text, sms_fields
from notifications.message import Message


def test_due_time_is_shown_in_the_office_zone(message, settings):
    assert message.due_display() == "2026-11-23 14:30"

    settings.TIME_ZONE = "Asia/Urumqi"
    assert message.due_display() == "2026-11-23 12:30"


def test_status_reads_due_until_overdue(message):
    assert message.status_display() == "已超时 15 分钟"
    assert replace(message, overdue_minutes=0).status_display() == "截止 2026-11-23 14:30"
    labels = [label for label, _ in replace(message, overdue_minutes=0).facts()]
    assert "状态" not in labels


def test_naive_due_time_and_relative_links_are_refused(message):
    with pytest.raises(ValueError, match="aware"):
        replace(message, due_at=datetime(2026, 11, 23, 14, 30))
    with pytest.raises(ValueError, match="absolute"):
        replace(message, action_url="/incidents/42/")
    with pytest.raises(ValueError, match="absolute"):
        replace(message, ack_url="ack/1")
    assert replace(message, ack_url=None).ack_url is None


def test_sms_text_fits_one_segment_by_shortening_the_incident_title(message):
    long = replace(message, incident_title="某市某区某街道网民因拆迁补偿问题在政府门前聚集并在多个平台发布视频事件")

    text = render_sms_text(long)

    assert len(text) <= 70
    assert text.startswith("首报逾期：某市某区")
    assert "…，已超时 15 分钟（C02） https://ops.example.gov.cn/incidents/42/" in text


def test_sms_text_says_the_incident_once_when_the_title_names_it(message):
    """A ladder rung's title already carries "#42 <short title>…": the SMS does not add the
    incident title again after it (that was the text cut twice)."""
    title = "某市某区某街道网民因拆迁补偿问题在政府门前聚集并在多个平台发布视频事件"
    rung = replace(message, title=f"【超时】书面报告 — #42 {title[:20]}…", incident_id="#42",
                   incident_title=title)

    text = render_sms_text(rung)

    assert text.count("…") == 1 and text.count("某市某区") == 1
    assert text.startswith("【超时】书面报告 #42：某市某区")
    assert text.endswith("，已超时 15 分钟（C02） https://ops.example.gov.cn/incidents/42/")


def test_sms_fields_name_every_template_field(message):
    assert tuple(sms_fields(message)) == FIELD_NAMES
    assert sms_fields(replace(message, ack_url=None))["ack"] == ""


def test_message_needs_no_database():
    Message(title="t", incident_id="1", incident_title="x", deadline_label="d",
            due_at=datetime(2026, 1, 1, tzinfo=timezone.utc), overdue_minutes=0, clause="C01",
            escalation_level=1, action_url="https://a.example/")
