"""The drafts routes ask who before what (403 before 400), and two editors cannot overwrite
each other: a revision names the version it started from (body or If-Match), 409 otherwise."""
import pytest

from responses.models import ResponseDraft
from tests.responses.helpers import client_for, drafted, incident_at

pytestmark = pytest.mark.django_db


def test_c16_a_role_that_may_not_draft_is_refused_before_its_body_is_read(office, clock):
    incident = incident_at(office, "major")
    duty = client_for(office.duty)  # the department's duty officer: may see, may not draft

    empty = duty.post(f"/api/v1/incidents/{incident.pk}/drafts/", {}, format="json")
    wrong_kind = duty.post(f"/api/v1/incidents/{incident.pk}/drafts/",
                           {"kind": "nonsense", "body": ""}, format="json")

    assert empty.status_code == 403, empty.data
    assert wrong_kind.status_code == 403, wrong_kind.data
    assert not ResponseDraft.objects.filter(incident=incident).exists()


def test_c16_a_role_that_may_not_revise_is_refused_before_its_body_is_read(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)

    refused = client_for(office.duty).post(f"/api/v1/drafts/{draft.pk}/revise/", {},
                                           format="json")

    assert refused.status_code == 403, refused.data
    draft.refresh_from_db()
    assert draft.version == 1


def test_c16_a_writer_without_a_body_gets_400_naming_it(office, clock):
    incident = incident_at(office, "major")

    answer = client_for(office.handler).post(f"/api/v1/incidents/{incident.pk}/drafts/",
                                             {"kind": "press_release"}, format="json")

    assert answer.status_code == 400 and set(answer.data) == {"body"}


def test_c16_two_editors_of_one_version_cannot_overwrite_each_other(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)
    url = f"/api/v1/drafts/{draft.pk}/revise/"

    first = client_for(office.handler).post(url, {"body": "钱承办改的第二版", "version": 1},
                                            format="json")
    second = client_for(office.head).post(url, {"body": "郑处长也从第一版改", "version": 1},
                                          format="json")
    by_header = client_for(office.head).post(url, {"body": "郑处长再试一次"}, format="json",
                                             HTTP_IF_MATCH='"1"')

    assert first.status_code == 200 and first.data["version"] == 2
    assert second.status_code == 409 and by_header.status_code == 409
    draft.refresh_from_db()
    assert draft.version == 2 and draft.current.body == "钱承办改的第二版"
    current = client_for(office.head).post(url, {"body": "郑处长在第二版上修改"}, format="json",
                                           HTTP_IF_MATCH='"2"')
    assert current.status_code == 200 and current.data["version"] == 3


def test_c16_a_malformed_if_match_is_a_400_naming_it(office, clock):
    incident = incident_at(office, "major")
    draft = drafted(office, incident)

    answer = client_for(office.handler).post(f"/api/v1/drafts/{draft.pk}/revise/",
                                             {"body": "第二版"}, format="json",
                                             HTTP_IF_MATCH="v-two")

    assert answer.status_code == 400 and set(answer.data) == {"If-Match"}
