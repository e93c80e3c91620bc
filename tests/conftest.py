import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import Org

CLOCK_SHIFT_VARIABLE = "OPINIONOPS_TEST_CLOCK_SHIFT_DAYS"


def _clock_shift() -> timedelta | None:
    days = os.environ.get(CLOCK_SHIFT_VARIABLE, "").strip()
    return timedelta(days=int(days)) if days else None


def pytest_report_header(config):
    shift = _clock_shift()
    if shift is not None:
        today = (datetime.now(UTC) + shift).date()
        return f"clock: {CLOCK_SHIFT_VARIABLE}={shift.days}: the tests run on {today}"
    return None


@pytest.fixture(scope="session", autouse=True)
def _shifted_clock():
    """With OPINIONOPS_TEST_CLOCK_SHIFT_DAYS=N the whole session runs N days from today, the
    clock ticking (.ci/run: 400), so a test that reads today's date instead of freezing or
    travelling the clock fails there. Tests' own travels nest inside it. Only wall-clock time
    moves (time.monotonic and timed waits stay real), which libfaketime could not do here."""
    shift = _clock_shift()
    if shift is None:
        yield
        return
    real = datetime.now(UTC)
    with time_machine.travel(real + shift, tick=True):
        moved = datetime.now(UTC) - real
        assert abs(moved - shift) < timedelta(minutes=1), f"the clock moved {moved}, not {shift}"
        yield


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Unit tests run tasks in-process; integration tests use a real worker."""
    # By the marker, not by keywords: keywords hold every parent's name too, so in a checkout
    # under a directory named "integration" every unit test ran without eager tasks.
    if request.node.get_closest_marker("integration") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        from opinion_ops.celery import app
        app.conf.task_always_eager = True
        yield
        app.conf.task_always_eager = False
    else:
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Rate limits count in the cache (local memory in tests; Redis with REDIS_URL set, where
    clear() deletes only the cache's prefix, never the broker's keys: opinion_ops.cache) by
    user id, and ids repeat from test to test: each test starts with no requests counted."""
    from django.core.cache import cache
    cache.clear()
