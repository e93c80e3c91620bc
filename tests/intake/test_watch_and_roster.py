"""C06: each unit's watch list decides whose leads they are; the officer on shift owns them; a
rule on a sensitive topic opens an incident on its own."""
from datetime import timedelta

import pytest

from incidents.models import Deadline, Incident
from intake.links import Item
from intake.models import DutyShift, WatchRule
from intake.receiving import ingest
from intake.watching import rule_matches
from organisation import roles
from tests.factories import UnitFactory, person_with_role

from .conftest import T0

pytestmark = pytest.mark.django_db


def push(source, *titles):
    return ingest(source, [Item(title=t, excerpt=t) for t in titles], body={}).created


def test_c06_keywords_with_all_of_parts_and_exclusions_match(org):
    rule = WatchRule(unit=org.department, name="食品安全", keywords="食堂+变质\n食物中毒",
                     exclusions="演习\n谣言已辟")
    assert rule_matches(rule, "网传某校食堂饭菜变质") == ("食堂", "变质")
    assert rule_matches(rule, "某校食堂今日菜单") == ()
    assert rule_matches(rule, "多名学生疑似食物中毒送医") == ("食物中毒",)
    assert rule_matches(rule, "食物中毒应急演习顺利开展") == ()


def test_c06_lead_belongs_to_the_unit_whose_watch_list_it_matches(org, sources, clock):
    other = UnitFactory(name="后勤处")
    WatchRule.objects.create(unit=other, name="食堂", keywords="食堂")
    WatchRule.objects.create(unit=org.department, name="考试", keywords="考试\n招生",
                             exclusions="驾考")

    food, exam, driving = push(sources.api, "某校食堂饭菜变质", "高考招生政策解读引热议",
                               "驾考考试中心排长队")

    assert food.unit == other and food.matched[0]["keywords"] == ["食堂"]
    assert exam.unit == org.department
    assert driving.unit == sources.api.unit and driving.matched == []  # the source's unit


def test_c06_officer_on_shift_owns_new_leads_and_the_incoming_shift_holds_the_boundary(
        org, sources, clock):
    night = person_with_role(roles.DUTY_OFFICER, org.department, "夜班员", "night")
    DutyShift.objects.create(unit=org.department, person=org.duty,
                             starts_at=T0 - timedelta(hours=8), ends_at=T0)
    DutyShift.objects.create(unit=org.department, person=night, starts_at=T0,
                             ends_at=T0 + timedelta(hours=8))

    at_boundary = push(sources.api, "整点到达的线索")[0]
    clock.move_to(T0 - timedelta(seconds=1))
    before = push(sources.api, "交班前一秒的线索")[0]
    clock.move_to(T0 + timedelta(hours=9))
    uncovered = push(sources.api, "无人值班时段的线索")[0]

    assert at_boundary.assignee == night
    assert before.assignee == org.duty
    assert uncovered.assignee is None


def test_c06_sensitive_topic_rule_opens_an_incident_on_its_own(org, sources, clock):
    WatchRule.objects.create(unit=org.department, name="安全事故", keywords="踩踏",
                             sensitive_topic=True, opens_incident=True, urgent=True)

    result = ingest(sources.api, [Item(title="某校课间发生踩踏", url="https://weibo.com/9/x")],
                    body={})

    incident = Incident.objects.get()
    assert result.opened == [result.created[0].pk]
    assert incident.discovered_at == T0 and incident.urgent
    assert Deadline.objects.filter(incident=incident, kind="verbal_report").exists()  # C02
    assert incident.metrics.get().sensitive_topic
