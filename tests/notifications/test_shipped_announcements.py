"""Who is told, from the shipped plan alone (C01, C04): no office has added a notify rule, yet
reporting tells the incident's related departments at the same time as the office, and
becoming major tells the superior department — once each."""
import pytest

from incidents import actions
from notifications.models import Notification, NotifyRule
from plans.models import AnnouncementRule, ResponsePlan
from plans.versions import revise_plan
from tests.incidents.helpers import classify, detect, report

pytestmark = pytest.mark.django_db


def test_c01_every_shipped_plan_tells_related_departments_and_c04_the_superior():
    for plan in ResponsePlan.objects.filter(family__in=["default", "one-hour"]):
        assert {(r.point, r.audience, r.clause) for r in plan.announcement_rules.all()} >= {
            ("reported", "related", "C01"), ("major", "superior", "C04")}


def test_c01_reporting_tells_the_incident_related_departments_from_the_shipped_plan(
        org, django_capture_on_commit_callbacks):
    assert not NotifyRule.objects.exists()
    incident = detect(org, related_units=[org.department])
    assert list(incident.related_units.all()) == [org.department]

    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)

    notification = Notification.objects.get(incident=incident)
    assert (notification.reason, notification.clause) == ("reported", "C01")
    told = {d.person for d in notification.deliveries.filter(channel_kind="inbox")}
    assert org.handler in told  # the department's handler
    assert not told & set(org.superior.people.all())
    assert incident.timeline.filter(event="notification").exists()


def test_c01_an_incident_without_related_departments_tells_nobody_extra(
        org, django_capture_on_commit_callbacks):
    incident = detect(org)

    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)

    assert not Notification.objects.filter(incident=incident).exists()


def test_c04_becoming_major_tells_the_superior_department_once_from_the_shipped_plan(
        org, django_capture_on_commit_callbacks):
    assert not NotifyRule.objects.exists()
    incident = detect(org)
    report(org, incident)

    with django_capture_on_commit_callbacks(execute=True):
        classify(org, incident, severity="major")
    with django_capture_on_commit_callbacks(execute=True):
        actions.upgrade_severity(incident, org.staff.user, severity="especially_major",
                                 reason="主流网站转载超过 5 家")

    notification = Notification.objects.get(incident=incident)
    assert (notification.reason, notification.clause) == ("major", "C04")
    assert {d.person for d in notification.deliveries.filter(channel_kind="inbox")} == set(
        org.superior.people.all())
    assert org.superior_contact in set(org.superior.people.all())


def test_c04_a_general_incident_is_not_told_to_the_superior(
        org, django_capture_on_commit_callbacks):
    incident = detect(org)
    report(org, incident)

    with django_capture_on_commit_callbacks(execute=True):
        classify(org, incident, severity="general")

    assert not Notification.objects.filter(incident=incident, reason="major").exists()


def test_c01_a_revised_plan_keeps_its_announcement_rules_and_an_office_may_drop_one(
        org, django_capture_on_commit_callbacks):
    plan = ResponsePlan.objects.current().get(family="default")
    revised = revise_plan(plan, values={"name": plan.name}, change_note="修订")
    assert {(r.point, r.audience) for r in revised.announcement_rules.all()} == {
        (r.point, r.audience) for r in plan.announcement_rules.all()}
    AnnouncementRule.objects.filter(plan=revised, point="reported").delete()
    incident = detect(org, plan=revised, related_units=[org.department])

    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)

    assert not Notification.objects.filter(incident=incident).exists()


def test_c01_the_api_names_the_related_departments_and_refuses_an_unknown_one(org):
    from rest_framework.test import APIClient
    client = APIClient()
    client.force_authenticate(org.duty.user)
    body = {"title": "网传某校食堂饭菜变质", "summary": "微博用户发帖称食堂饭菜变质。",
            "source_url": "https://weibo.com/123/abc", "platform": "微博",
            "discovered_at": "2026-11-23T09:55:00+08:00", "urgent": False}

    created = client.post("/api/v1/incidents/", {**body, "related_units": [org.department.pk]},
                          format="json")
    refused = client.post("/api/v1/incidents/", {**body, "related_units": [987654]},
                          format="json")

    assert created.status_code == 201, created.data
    assert [u["name"] for u in created.data["related_units"]] == [org.department.name]
    assert refused.status_code == 400 and set(refused.data) == {"related_units"}


def test_c01_the_new_incident_page_names_the_related_departments(org):
    from django.test import Client
    from django.utils import timezone
    from incidents.models import Incident
    client = Client()
    client.force_login(org.duty.user)
    page = client.get("/incidents/new/")
    assert 'name="related_units"' in page.content.decode()

    answer = client.post("/incidents/new/", {
        "title": "网传某校周边交通事故", "summary": "短视频", "source_url": "https://example.com/v/2",
        "platform": "抖音", "discovered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "related_units": [org.department.pk]})

    assert answer.status_code == 302
    incident = Incident.objects.get(title="网传某校周边交通事故")
    assert list(incident.related_units.all()) == [org.department]
    detected = incident.timeline.get(event="detected")
    assert detected.data["related_units"] == [org.department.name]
    shown = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "<dt>相关部门</dt><dd>教务处</dd>" in shown
