"""schemathesis over every operation of the API, as an office user and a department handler:
no input is answered with a server error, and every response matches the schema."""
import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from accounts import tokens

from opinion_ops.wsgi import application
from tests.hardening import fuzzing
from tests.incidents.helpers import classify, detect, report


@pytest.fixture
def in_process():
    """As Django's test client does: a request through the WSGI handler must not close the
    test's connection (its transaction holds the fixtures)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def people(org, settings):
    settings.API_RATE_LIMIT = ""  # the run's thousand requests per person are not an abuse
    return {"office": tokens.issue(org.staff.user, name="fuzz").key,
            "handler": tokens.issue(org.handler.user, name="fuzz").key}


def test_no_operation_answers_any_input_with_a_server_error(org, people, in_process, capsys):
    detected = detect(org, owner_unit=org.department)
    reported = report(org, detect(org, owner_unit=org.department, title="网传某校收费"))
    classify(org, reported)
    schema = fuzzing.load_schema(application, people["office"])
    tally = fuzzing.fuzz(schema, people, {"/api/v1/incidents/": detected.pk})
    with capsys.disabled():
        print("\n" + tally.report())
    assert tally.operations > 100
    assert tally.server_errors == []
