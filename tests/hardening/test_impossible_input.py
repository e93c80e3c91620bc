"""Well-formed but impossible values are refused with 400 naming the field, on every verb and on
create, never a 500: times that do not exist, integers past the database column, ids past any
record, JSON bodies that are not objects or are nested very deep."""
import json

import pytest

from incidents import verbs
from incidents.api import payloads
from tests.factories import incident_kwargs
from tests.hardening.helpers import client_for, post, raw_post
from tests.incidents.helpers import detect

pytestmark = pytest.mark.django_db

IMPOSSIBLE_TIMES = ["2024-01-01T12:99:00Z", "2026-02-30T10:00:00+08:00",
                    "2026-13-01T10:00:00+08:00"]
TIMED_VERBS = sorted(name for name, verb in verbs.REGISTRY.items()
                     if "occurred_at" in verb.payload().fields)


def actor_for(org, verb: str):
    """Someone whose role may do the verb, so the payload is what is judged."""
    codename = f"incidents.{verbs.REGISTRY[verb].permission}"
    for person in (org.staff, org.leader, org.duty, org.auditor, org.spokesperson):
        if person.user.has_perm(codename):
            return person
    raise AssertionError(f"no role in the Org may {verb}")


def test_every_timed_verb_is_listed():
    assert {"report", "classify", "merge", "metrics", "respond"} <= set(TIMED_VERBS)


@pytest.mark.parametrize("moment", IMPOSSIBLE_TIMES)
@pytest.mark.parametrize("verb", TIMED_VERBS)
def test_an_impossible_stated_time_on_any_verb_is_a_400_naming_occurred_at(org, verb, moment):
    incident = detect(org)
    response = post(actor_for(org, verb), f"/api/v1/incidents/{incident.pk}/{verb}/",
                    {"occurred_at": moment})
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()


@pytest.mark.parametrize("moment", IMPOSSIBLE_TIMES)
def test_an_impossible_discovery_time_on_create_is_a_400_naming_discovered_at(org, moment):
    body = {**incident_kwargs(), "discovered_at": moment}
    response = post(org.duty, "/api/v1/incidents/", body)
    assert response.status_code == 400, response.content
    assert "discovered_at" in response.json()


def test_figures_past_a_32_bit_column_are_a_400_naming_the_field(org):
    incident = detect(org)
    response = post(org.duty, f"/api/v1/incidents/{incident.pk}/metrics/",
                    {"stage": "outbreak", "clicks": 2**31, "comments": 2**40,
                     "follow_up_posts": 2**31})
    assert response.status_code == 400
    assert {"clicks", "comments", "follow_up_posts"} <= set(response.json())


def test_a_revision_past_a_32_bit_column_is_a_400(org):
    incident = detect(org)
    response = post(org.duty, f"/api/v1/incidents/{incident.pk}/report/",
                    {"channel": "phone", "recipient": "舆情办", "expected_revision": 2**31})
    assert response.status_code == 400
    assert "expected_revision" in response.json()


@pytest.mark.parametrize("value", [2**63, 2**64, -1, 0, "99999999999999999999999"])
def test_a_record_id_past_any_record_is_a_400_naming_the_field(org, value):
    incident = detect(org)
    response = post(org.staff, f"/api/v1/incidents/{incident.pk}/merge/", {"into": value})
    assert response.status_code == 400
    assert "into" in response.json()


def test_a_record_field_still_finds_a_real_record(org):
    incident, other = detect(org), detect(org, title="另一事件")
    response = post(org.staff, f"/api/v1/incidents/{incident.pk}/merge/", {"into": str(other.pk)})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", ["/api/v1/deliveries/?incident={n}",
                                 "/api/v1/deadlines/?incident={n}",
                                 "/api/v1/deadlines/?incident=1e30",
                                 "/api/v1/incidents/?unit={n}"])
def test_a_filter_id_past_any_record_is_a_400_naming_the_filter(org, url):
    response = client_for(org.staff).get(url.format(n=2**64))
    assert response.status_code == 400, response.content
    assert url.split("?")[1].split("=")[0] in response.json()


def test_a_path_id_past_any_record_is_a_404(org):
    response = client_for(org.staff).get(f"/api/v1/incidents/{10**30}/")
    assert response.status_code == 404


@pytest.mark.parametrize("body", ["[]", "[1, 2]", '"kind"', "1", "null", "true"])
@pytest.mark.parametrize("person", ["staff", "handler"])
def test_a_briefing_request_that_is_not_an_object_is_a_400(org, body, person):
    incident = detect(org)
    for url in (f"/api/v1/incidents/{incident.pk}/briefings/", "/api/v1/briefings/"):
        response = raw_post(getattr(org, person), url, body)
        # The handler may not generate briefings: refused either way, never a 500.
        assert response.status_code in ((400,) if person == "staff" else (400, 403)), url


def test_a_verb_body_that_is_not_an_object_is_a_400(org):
    incident = detect(org)
    response = raw_post(org.duty, f"/api/v1/incidents/{incident.pk}/report/", "[]")
    assert response.status_code == 400


def test_json_nested_50000_deep_is_a_400_not_a_recursion_error(org):
    incident = detect(org)
    deep = '{"note": ' + "[" * 50_000 + "]" * 50_000 + "}"
    for url in (f"/api/v1/incidents/{incident.pk}/report/", "/api/v1/briefings/",
                "/api/v1/incidents/"):
        response = raw_post(org.staff, url, deep)
        assert response.status_code == 400, url


def test_json_nested_within_the_bound_is_parsed(org):
    incident = detect(org)
    body = json.dumps({"channel": "phone", "recipient": "舆情办", "note": "[[{}]]",
                       "extra": [[[[{"a": "]]]]"}]]]]})
    response = raw_post(org.duty, f"/api/v1/incidents/{incident.pk}/report/", body)
    assert response.status_code == 200, response.content


def test_brackets_inside_strings_do_not_count_as_depth():
    from opinion_ops.inputs import json_depth_exceeds
    assert not json_depth_exceeds(json.dumps({"a": "[" * 100}), 3)
    assert json_depth_exceeds("[" * 4 + "]" * 4, 3)
    assert not json_depth_exceeds('{"a": "\\"[[[[" }', 2)


def test_the_payload_module_bounds_every_figure():
    for payload in (payloads.MetricsPayload, payloads.ClassifyPayload):
        for name, field in payload().fields.items():
            if type(field).__name__ == "IntegerField":
                assert field.max_value is not None and field.max_value < 2**31, name


@pytest.mark.parametrize("since", ["0081-12-26T20:40:01-21:12", "2026-11-23T10:00:00+15:30",
                                   "1899-12-31T23:59:59+08:00"])
def test_a_filter_time_outside_any_record_is_a_400_naming_the_filter(org, since):
    """An offset no time zone has, or a year before any record, never reaches the database
    (PostgreSQL refuses such offsets and the request would end in a 500)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(org.staff.user)
    response = client.get("/api/v1/intake/leads/", {"since": since})
    assert response.status_code == 400, response.content
    assert "since" in response.json()


@pytest.mark.parametrize("moment", ["1900-06-01T10:00:00+08:00", "1900-12-31T15:50:00Z"])
def test_a_time_the_office_zone_reckons_in_local_mean_time_is_a_400(org, moment):
    """Asia/Shanghai before 1901 is LMT, +08:05:43: no ISO 8601 date-time renders it, so the
    record would be answered off its schema ever after. Refused at input, naming the field."""
    incident = detect(org)
    response = post(org.duty, f"/api/v1/incidents/{incident.pk}/report/",
                    {"channel": "phone", "recipient": "舆情办", "occurred_at": moment})
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()
    response = client_for(org.staff).get("/api/v1/intake/leads/", {"since": moment})
    assert response.status_code == 400 and "since" in response.json()


def test_the_first_moment_of_standard_time_is_accepted():
    from datetime import datetime, timezone as tz

    from opinion_ops.inputs import moment_out_of_reach
    assert moment_out_of_reach(datetime(1900, 12, 31, 15, 54, 16, tzinfo=tz.utc))
    assert not moment_out_of_reach(datetime(1900, 12, 31, 16, 0, 0, tzinfo=tz.utc))
