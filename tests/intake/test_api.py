"""C06: platforms with an API push leads to /api/v1/intake/leads/ with their token; the duty
officer lists them newest first, filtered by source and time, and sees only their unit's."""
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from intake.links import Item
from intake.models import Lead, Push
from intake.receiving import ingest
from intake.sources import api_token
from tests.factories import UnitFactory

from .conftest import T0

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/leads/"


def as_source(source) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(source)}")
    return client


def as_person(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


LEAD = {"title": "网传某校食堂饭菜变质", "url": "https://weibo.com/1/abc", "platform": "微博",
        "published_at": "2026-11-23T09:30:00+08:00", "author": "某网友",
        "excerpt": "家长称孩子午餐有异味", "metrics": {"clicks": 1500, "comments": 80,
                                                  "reposts": 12, "mainstream_sites": 0,
                                                  "heat_index": "63.5"}}


def test_c06_api_source_pushes_one_lead_or_a_list(sources, clock):
    one = as_source(sources.api).post(URL, LEAD, format="json")
    many = as_source(sources.api).post(URL, [LEAD, {**LEAD, "url": "https://weibo.com/1/def",
                                                     "title": "某区教育局回应午餐问题"}],
                                       format="json")

    assert one.status_code == 201 and len(one.data["created"]) == 1
    assert many.status_code == 201 and len(many.data["created"]) == 1
    assert many.data["seen_again"] == one.data["created"]
    lead = Lead.objects.get(pk=one.data["created"][0])
    assert (lead.clicks, lead.platform, lead.author) == (1500, "微博", "某网友")
    assert lead.received_at == T0


def test_c06_api_bad_lead_is_400_naming_the_field_and_stores_nothing(sources, clock):
    response = as_source(sources.api).post(URL, [LEAD, {**LEAD, "url": "not a url",
                                                        "metrics": {"clicks": -1}}],
                                           format="json")

    assert response.status_code == 400
    assert "url" in response.data[1] and "clicks" in response.data[1]["metrics"]
    assert Lead.objects.count() == 0
    assert Push.objects.get().outcome == "refused"


def test_c07_api_heat_index_beyond_what_a_snapshot_holds_is_400_naming_it(sources, clock):
    response = as_source(sources.api).post(URL, {**LEAD, "metrics": {"heat_index": "1000000"}},
                                           format="json")

    assert response.status_code == 400 and "heat_index" in response.data["metrics"]
    assert Lead.objects.count() == 0


def test_c06_api_push_needs_an_api_source_token(org, sources, clock):
    assert APIClient().post(URL, LEAD, format="json").status_code == 401
    assert as_person(org.duty).post(URL, LEAD, format="json").status_code == 403
    assert Lead.objects.count() == 0


def test_c06_lead_list_has_the_contract_fields_newest_first_with_filters(org, sources, clock):
    ingest(sources.api, [Item(title="早一条", url="https://weibo.com/1/a")], body={})
    clock.shift(timedelta(minutes=5))
    ingest(sources.wecom, [Item(title="晚一条", url="https://weibo.com/1/b")], body={})

    everything = as_person(org.duty).get(URL).data["results"]
    by_source = as_person(org.duty).get(URL, {"source": sources.api.pk}).data["results"]
    since = as_person(org.duty).get(URL, {"since": "2026-11-23T10:03:00+08:00"}).data["results"]

    assert [r["title"] for r in everything] == ["晚一条", "早一条"]
    contract = {"id", "source", "title", "url", "received_at", "state", "incident"}
    assert contract <= set(everything[0])
    assert [r["title"] for r in by_source] == ["早一条"]
    assert [r["title"] for r in since] == ["晚一条"]
    assert as_person(org.duty).get(URL, {"since": "yesterday"}).status_code == 400


def test_c06_a_handler_of_another_unit_sees_none_of_these_leads(org, sources, clock):
    from organisation import roles
    from tests.factories import person_with_role

    stranger = person_with_role(roles.DEPARTMENT_HANDLER, UnitFactory(name="财务处"), "外人", "x")
    lead = ingest(sources.api, [Item(title="本部门线索", url="https://weibo.com/1/a")],
                  body={}).created[0]

    assert as_person(stranger).get(URL).data["results"] == []
    assert as_person(stranger).get(f"{URL}{lead.pk}/").status_code == 404
    assert as_person(org.staff).get(URL).data["count"] == 1  # the office sees all


def test_c01_open_incident_from_the_api_runs_from_the_push(org, sources, clock):
    lead = ingest(sources.api, [Item(title="本部门线索", url="https://weibo.com/1/a")],
                  body={}).created[0]
    clock.shift(timedelta(minutes=50))

    response = as_person(org.duty).post(f"{URL}{lead.pk}/open-incident/", {}, format="json")

    assert response.status_code == 201, response.data
    incident = as_person(org.duty).get(f"/api/v1/incidents/{response.data['incident']}/").data
    assert incident["discovered_at"] == "2026-11-23T10:00:00+08:00"


def test_c06_api_dismiss_without_reason_is_400_and_attach_to_unknown_incident_is_400(
        org, sources, clock):
    lead = ingest(sources.api, [Item(title="线索", url="https://weibo.com/1/a")],
                  body={}).created[0]
    client = as_person(org.duty)

    assert "reason" in client.post(f"{URL}{lead.pk}/dismiss/", {}, format="json").data
    assert "incident" in client.post(f"{URL}{lead.pk}/attach/", {"incident": 999},
                                     format="json").data
    assert Lead.objects.get(pk=lead.pk).state == "new"


def test_c06_create_intake_source_prints_the_url_last(org, clock):
    out = io.StringIO()
    call_command("create_intake_source", "--kind", "dingtalk", "--name", "识微", "--unit",
                 str(org.office.pk), "--secret", "SECabc", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("http://127.0.0.1:8000/intake/dingtalk/robot/send?access_token=")

    out = io.StringIO()
    call_command("create_intake_source", "--kind", "api", "--name", "清博", "--unit",
                 str(org.office.pk), stdout=out)
    assert out.getvalue().strip().splitlines()[-1].endswith("/api/v1/intake/leads/")


def test_c06_create_intake_source_refuses_an_unknown_unit(org, clock):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--unit"):
        call_command("create_intake_source", "--kind", "wecom", "--name", "x", "--unit", "999",
                     stdout=io.StringIO())
