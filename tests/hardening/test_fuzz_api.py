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


def test_no_operation_answers_any_input_with_a_server_error_or_off_schema(org, people,
                                                                         in_process, capsys):
    detected = detect(org, owner_unit=org.department)
    reported = report(org, detect(org, owner_unit=org.department, title="网传某校收费"))
    classify(org, reported)
    schema = fuzzing.load_schema(application, people["office"])
    tally = fuzzing.fuzz(schema, people, {"/api/v1/incidents/": detected.pk})
    with capsys.disabled():
        print("\n" + tally.report())
    assert min(tally.operations[who] for who in people) > 100
    assert all(tally.requests[who] > tally.operations[who] for who in people)
    assert tally.server_errors == []
    assert tally.mismatches == []


def test_an_answer_off_its_schema_is_counted_as_a_mismatch(org, people, in_process):
    """The check the run relies on does fail: a list of incidents is not a deadline, and a
    418 is declared nowhere."""
    schema = fuzzing.load_schema(application, people["office"])
    headers = {"Authorization": f"Token {people['office']}"}
    answer = schema["/api/v1/incidents/"]["GET"].Case().call(headers=headers)
    assert answer.status_code == 200
    deadline = schema["/api/v1/deadlines/{id}/"]["GET"].Case(path_parameters={"id": "1"})
    with pytest.raises((AssertionError, BaseExceptionGroup)) as off:
        deadline.validate_response(answer, checks=fuzzing.SCHEMA_CHECKS)
    assert "schema" in fuzzing._failure_text(off.value).lower()
    answer.status_code = 418
    with pytest.raises((AssertionError, BaseExceptionGroup)) as undeclared:
        deadline.validate_response(answer, checks=fuzzing.SCHEMA_CHECKS)
    assert "418" in fuzzing._failure_text(undeclared.value)
