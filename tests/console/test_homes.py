"""Each role's home: the next action and the next deadline, overdue first."""
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from console import homes
from incidents import actions
from incidents.models import Incident
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db


def page(office, role, url="/", **params):
    client = Client()
    client.force_login(office.users[role])
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_role_lands_on_its_own_home(office):
    assert "舆情看板" in page(office, "office")
    assert "舆情看板" in page(office, "admin")
    assert "领导工作台" in page(office, "leader")
    assert "值班工作台" in page(office, "duty")
    assert "审计工作台" in page(office, "auditor")
    assert "我的待办" in page(office, "handler")
    assert "我的待办" in page(office, "spokesperson")


def test_the_duty_officer_logs_from_home_with_discovered_at_now(office):
    html = page(office, "duty")
    now = timezone.localtime().strftime("%Y-%m-%dT%H:")
    assert 'action="/incidents/new/"' in html and f'value="{now}' in html
    assert 'name="title"' in html and 'name="source_url"' in html


def test_the_duty_officers_incidents_are_overdue_first_then_by_next_deadline(office):
    mine = homes.my_open_incidents(office.users["duty"], timezone.now())
    overdue = [i for i in mine if i.is_overdue]
    timed = [i for i in mine if not i.is_overdue and i.next_due is not None]
    untimed = [i for i in mine if not i.is_overdue and i.next_due is None]
    assert mine == overdue + timed + untimed and office.overdue in overdue
    assert [i.next_due for i in timed] == sorted(i.next_due for i in timed)
    assert timed[0] == office.urgent  # its verbal report falls due first


def test_the_board_groups_open_incidents_by_state_with_overdue_first(office):
    columns = {c.state: c for c in homes.board(office.users["office"], timezone.now())}
    assert office.overdue in columns["detected"].incidents
    assert columns["detected"].incidents[0].is_overdue
    assert office.reported in columns["reported"].incidents
    assert office.major in columns["classified"].incidents
    assert sum(c.count for c in columns.values()) == 5


def test_the_board_filters_by_search_severity_urgent_and_overdue(office):
    html = page(office, "office", reverse("board"), q="七中")
    assert office.urgent.title in html and office.overdue.title not in html
    html = page(office, "office", reverse("board"), severity="major")
    assert office.major.title in html and office.general.title not in html
    html = page(office, "office", reverse("board"), urgent="on")
    assert office.urgent.title in html and office.reported.title not in html
    html = page(office, "office", reverse("board"), overdue="on")
    assert office.overdue.title in html and office.urgent.title not in html


def test_leadership_sees_the_major_incidents(office):
    html = page(office, "leader")
    major = html.split("重大、特别重大舆情")[1].split("超时未履行")[0]
    assert office.major.title in major and office.general.title not in major


def test_the_countdown_is_amber_in_the_warning_window_and_red_when_overdue(office):
    html = page(office, "office", reverse("incident-detail", args=[office.urgent.pk]))
    assert 'class="countdown warning"' in html and ("剩4分钟" in html or "剩5分钟" in html)
    html = page(office, "office", reverse("incident-detail", args=[office.overdue.pk]))
    assert 'class="countdown overdue"' in html and "已超时1小时" in html


def test_the_clock_shift_setting_moves_only_the_pages_countdown(office, settings):
    settings.CONSOLE_CLOCK_SHIFT_SECONDS = 10 * 60
    html = page(office, "office", reverse("incident-detail", args=[office.urgent.pk]))
    assert 'class="countdown overdue"' in html and "已超时" in html


def extra_incidents(office, n):
    for i in range(n):
        actions.detect_incident(office.org.duty.user, **incident_kwargs(
            title=f"批量事件{i}", owner_unit=office.org.department))


@pytest.mark.parametrize("url", ["/board/", "/incidents/", "/"])
def test_the_board_and_the_lists_cost_the_same_queries_for_10_and_200_incidents(
        office, url, django_assert_num_queries):
    client = Client()
    client.force_login(office.users["office"])
    extra_incidents(office, 5)  # 10 in all
    client.get(url)  # warm caches (content types, plan rules)
    with CaptureQueriesContext(connection) as at_10:
        assert client.get(url).status_code == 200
    extra_incidents(office, 190)
    with django_assert_num_queries(len(at_10.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_duty_officers_home_costs_the_same_queries_for_10_and_200_incidents(
        office, django_assert_num_queries):
    client = Client()
    client.force_login(office.users["duty"])
    extra_incidents(office, 5)
    client.get("/")
    with CaptureQueriesContext(connection) as at_10:
        client.get("/")
    extra_incidents(office, 190)
    with django_assert_num_queries(len(at_10.captured_queries)):
        client.get("/")


def test_leadership_home_costs_the_same_queries_for_10_and_200_incidents(
        office, django_assert_num_queries):
    """Leadership's lists (major, overdue, drafts to approve) grow with the incidents; the
    queries do not. Half the added incidents are major and all of them overdue, so every list
    has rows to show at both sizes."""
    from incidents.models import Incident
    from responses import actions as responses

    def more(n):
        with time_machine.travel(timezone.now() - timedelta(hours=3), tick=False):
            extra_incidents(office, n)
        Incident.objects.filter(title__startswith="批量事件", pk__in=Incident.objects.filter(
            title__startswith="批量事件").order_by("-pk").values("pk")[:n // 2]).update(
            severity="major")

    client = Client()
    client.force_login(office.users["leader"])
    responses.create_draft(office.major, office.users["handler"], kind="press_release",
                           body="关于体育课学生受伤的情况通报")
    more(5)
    client.get("/")
    with CaptureQueriesContext(connection) as at_10:
        assert client.get("/").status_code == 200
    more(190)
    with django_assert_num_queries(len(at_10.captured_queries)):
        html = client.get("/").content.decode()
    assert html.count("批量事件") >= 90 and office.major.title in html


def test_a_board_column_is_its_states_first_cards_in_the_lists_order(office):
    """Each column (ranked with the others in one query on PostgreSQL) holds its state's first
    BOARD_COLUMN_LIMIT incidents in the order the lists promise: overdue first, then by next
    due time, none last, then newest; recomputed here from the deadlines themselves."""
    now = timezone.now()
    minutes = [5, 200, 30, 30, 150, 90, 10, 250, 60, 60, 45, 121, 119, 15, 80, 5, 33, 180, 70,
               25, 140, 100, 20, 8]
    for i, ago in enumerate(minutes):  # the plan's report is due 2 hours after discovery
        actions.detect_incident(office.org.duty.user, **incident_kwargs(
            title=f"排序事件{i}", owner_unit=office.org.department,
            discovered_at=now - timedelta(minutes=ago)))
    column = {c.state: c for c in homes.board(office.users["office"], now)}["detected"]

    def rank(incident):
        owed = list(incident.deadlines.unsettled())
        overdue = incident.deadlines.overdue(now).exists()
        due = min((d.due_at for d in owed), default=None)
        return (not overdue, due is None, due or now, -incident.pk)

    expected = sorted(Incident.objects.filter(state="detected"), key=rank)
    assert len(expected) > homes.BOARD_COLUMN_LIMIT
    assert [i.pk for i in column.incidents] == [i.pk for i in expected][:homes.BOARD_COLUMN_LIMIT]
    assert column.count == len(expected) and column.more == len(expected) - len(column.incidents)
    assert [i.is_overdue for i in column.incidents] == [
        not rank(i)[0] for i in expected[:homes.BOARD_COLUMN_LIMIT]]
    assert any(i.is_overdue for i in column.incidents)
    assert not all(i.is_overdue for i in column.incidents)
