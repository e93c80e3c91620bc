"""Leadership's home: the drafts waiting for this person's approval (C16), and the major
incidents."""
import pytest
from django.test import Client

from responses import actions as responses

pytestmark = pytest.mark.django_db


def leader_home(office) -> str:
    client = Client()
    client.force_login(office.users["leader"])
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_c16_a_draft_waiting_for_the_leaders_approval_is_on_their_home_until_decided(office):
    draft = responses.create_draft(office.major, office.users["handler"],
                                   kind="press_release", body="关于体育课学生受伤的情况通报")
    html = leader_home(office)
    section = html.split('id="awaiting-approval"')[1].split("<h2")[0]
    assert office.major.title in section and "v1" in section
    assert "没有待您审定的回应稿" not in section

    responses.approve_draft(draft, office.users["leader"], comment="同意")

    section = leader_home(office).split('id="awaiting-approval"')[1].split("<h2")[0]
    assert office.major.title not in section and "没有待您审定的回应稿" in section


def test_c16_a_draft_is_not_awaiting_a_person_the_rule_does_not_name(office):
    responses.create_draft(office.major, office.users["handler"], kind="press_release",
                           body="关于体育课学生受伤的情况通报")
    client = Client()
    client.force_login(office.users["office"])
    from console import homes
    assert homes.drafts_awaiting(office.users["office"]) == []
    assert [a.draft.incident for a in homes.drafts_awaiting(office.users["leader"])] \
        == [office.major]


def test_leadership_home_lists_the_major_incidents(office):
    html = leader_home(office)
    section = html.split("重大、特别重大舆情")[1].split("<h2")[0]
    assert office.major.title in section and office.general.title not in section


def test_c16_leadership_home_costs_the_same_queries_for_1_and_20_drafts_waiting(
        office, django_assert_num_queries):
    """Each draft waiting for approval costs no query of its own: the plan's rules, the
    versions with their approval windows and the approvers are read once for all of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def draft(n):
        responses.create_draft(office.major, office.users["handler"], kind="press_release",
                               body=f"情况通报第{n}稿")

    def waiting(html):
        return html.split('id="awaiting-approval"')[1].split("<h2")[0].count(office.major.title)

    client = Client()
    client.force_login(office.users["leader"])
    draft(0)
    client.get("/")
    with CaptureQueriesContext(connection) as at_1:
        html = client.get("/").content.decode()
    assert waiting(html) == 1
    for n in range(1, 20):
        draft(n)
    with django_assert_num_queries(len(at_1.captured_queries)):
        html = client.get("/").content.decode()
    assert waiting(html) == 20
