"""Fault scenarios on a stack the test owns: its own PostgreSQL cluster and Redis server on
free ports, its own workers and beats (tests/faults/harness.py). Nothing here touches the
shared services on 5432 and 6379.

The scenarios are marked `faults` and run only when asked for (`bin/test tests/faults -m
faults`; .ci/run runs them as a step of their own): a run without that mark expression
deselects them, so the main test step neither runs them nor points its database at a private
cluster. The whole session's database is a test database on the private cluster
(`django_db_modify_db_settings`), migrated once; each test gets it back as the migrations left
it (serialized rollback), like tests/integration. At the end of the session one table sums up
every scenario that ran.
"""
import os

import dj_database_url
import pytest
from _pytest.mark.expression import Expression
from django.core.management import call_command

from tests.integration.conftest import _sigterm_runs_finalizers  # noqa: F401 (autouse)

from .harness import RESULTS, format_table
from .servers import PrivatePostgres


def _asks_for_faults(config) -> bool:
    """True when -m's expression selects `faults` and nothing without it."""
    text = config.getoption("markexpr") or ""
    if not text.strip():
        return False
    expression = Expression.compile(text)
    return expression.evaluate(lambda name: name == "faults") and \
        not expression.evaluate(lambda name: False)


def pytest_collection_modifyitems(config, items):
    if _asks_for_faults(config):
        return
    # By the marker, not by keywords: keywords hold every parent's name too, so a checkout in a
    # directory named "faults" would deselect every test.
    chosen = [item for item in items if item.get_closest_marker("faults") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(
            items=[i for i in items if i.get_closest_marker("faults") is not None])
        items[:] = chosen


@pytest.fixture(scope="session")
def private_postgres():
    server = PrivatePostgres()
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(private_postgres):
    """The session's database is on the private cluster, whatever DATABASE_URL says."""
    from django.conf import settings
    from django.db import connections

    config = dj_database_url.parse(private_postgres.url("opinionops_faults"))
    config["TEST"] = {"NAME": "test_opinionops_faults"}
    connections.close_all()
    settings.DATABASES["default"] = config
    connections.__dict__.pop("settings", None)
    try:
        del connections["default"]
    except AttributeError:
        pass


@pytest.fixture
def _empty_tables(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)


@pytest.fixture(autouse=True)
def _live_database(_empty_tables, transactional_db, django_db_serialized_rollback):
    """Committed rows for the workers; plans and roles from the data migrations restored."""


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings, monkeypatch):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if RESULTS:
        terminalreporter.section("fault table")
        for line in format_table(RESULTS):
            terminalreporter.write_line(line)


def setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    stack = getattr(item, "funcargs", {}).get("fault_stack")
    if report.failed and report.when in ("call", "setup") and stack is not None:
        for title, text in stack.logs():
            report.sections.append((title, text[-15000:]))
