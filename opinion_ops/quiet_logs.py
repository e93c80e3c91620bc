"""Beat's routine tasks at DEBUG: a sweep that did nothing does not fill the log.

Beat sends the deadline sweep and the ladder climb every second (CELERY_BEAT_SCHEDULE), and
Celery logs each at INFO three times: beat's "Sending due task", the worker's "received" and
"succeeded". On the demo that was four log lines in five. This filter, set on those three
Celery loggers (settings.LOGGING), lowers to DEBUG the sending and receiving of a scheduled
task, and its success when its result says it did nothing (0, None, an empty list, or a dict
of such counts: {'breached': 0, 'warned': 0}). A sweep that breached, climbed or sent something
still logs its success at INFO, and failures are untouched. With LOG_LEVEL=DEBUG the lowered
lines are kept, at DEBUG.
"""
import ast
import logging

from django.conf import settings

SENDING = "Scheduler: Sending due task"


def routine_tasks() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def did_nothing(return_value) -> bool:
    """Whether a task's result (as Celery's log shows it, a repr) is all zeros and empties."""
    if isinstance(return_value, str):
        try:
            return_value = ast.literal_eval(return_value)
        except (ValueError, SyntaxError):
            return False
    if isinstance(return_value, dict):
        return all(did_nothing(value) for value in return_value.values())
    return not return_value


def _task_of(record: logging.LogRecord) -> tuple[str | None, dict]:
    """The task a Celery log record is about, and its context (trace and strategy records)."""
    if isinstance(record.args, dict):
        return record.args.get("name"), record.args
    if isinstance(record.msg, str) and record.msg.startswith(SENDING) and record.args:
        return record.args[-1], {}
    return None, {}


class RoutineTaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.INFO:
            return True
        name, context = _task_of(record)
        if name not in routine_tasks():
            return True
        if "return_value" in context and not did_nothing(context["return_value"]):
            return True
        record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
