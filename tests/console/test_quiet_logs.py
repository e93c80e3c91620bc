"""A sweep that did nothing logs at DEBUG; one that did something still logs at INFO."""
import logging

import pytest
from celery.app.trace import LOG_RECEIVED, LOG_SUCCESS

SWEEP = "incidents.tasks.sweep_deadlines"


def success(name, return_value):
    logging.getLogger("celery.app.trace").info(
        LOG_SUCCESS, {"id": "abc", "name": name, "return_value": return_value,
                      "runtime": 0.01})


@pytest.fixture
def celery_logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def levels(caplog):
    return [(record.name, record.levelname, record.getMessage()) for record in caplog.records]


def test_an_idle_sweep_is_sent_received_and_done_at_debug(celery_logs):
    logging.getLogger("celery.beat").info("Scheduler: Sending due task %s (%s)",
                                          "sweep-deadlines", SWEEP)
    logging.getLogger("celery.worker.strategy").info(LOG_RECEIVED, {"id": "abc", "name": SWEEP})
    success(SWEEP, "{'breached': 0, 'warned': 0}")
    success("notifications.tasks.climb_ladders", "0")
    assert {level for _name, level, _message in levels(celery_logs)} == {"DEBUG"}
    assert len(celery_logs.records) == 4


def test_a_sweep_that_breached_a_deadline_logs_at_info(celery_logs):
    success(SWEEP, "{'breached': 1, 'warned': 0}")
    assert levels(celery_logs)[0][1] == "INFO" and "'breached': 1" in levels(celery_logs)[0][2]


def test_other_tasks_keep_their_info_lines(celery_logs):
    success("notifications.tasks.send_delivery", "None")
    logging.getLogger("celery.worker.strategy").info(
        LOG_RECEIVED, {"id": "x", "name": "briefings.tasks.render_briefing"})
    assert [level for _name, level, _message in levels(celery_logs)] == ["INFO", "INFO"]


def test_at_info_the_idle_lines_are_dropped(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("celery").setLevel(logging.INFO)
    try:
        success(SWEEP, "{'breached': 0, 'warned': 0}")
    finally:
        logging.getLogger("celery").setLevel(logging.NOTSET)
    assert not caplog.records


def test_an_e_mail_in_development_is_one_info_log_line(caplog, settings):
    from django.core import mail as django_mail
    settings.EMAIL_BACKEND = "notifications.mail_backend.LoggingEmailBackend"
    caplog.set_level(logging.INFO, logger="notifications.mail")
    sent = django_mail.send_mail("超时提醒", "报告时限已过", "ops@example.org",
                                 ["duty@example.org"])
    [record] = [r for r in caplog.records if r.name == "notifications.mail"]
    assert sent == 1 and record.levelname == "INFO"
    assert "duty@example.org" in record.getMessage() and "超时提醒" in record.getMessage()
