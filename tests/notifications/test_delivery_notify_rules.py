"""Informational notices of the procedure take the same delivery path as ladder rungs:
related departments at report time (C01), the superior department for major incidents (C04)."""
import pytest

from incidents.models import Event
from notifications.models import Delivery, Notification, NotifyEvent, NotifyRule
from tests.incidents.helpers import classify, detect, report

from .test_delivery_support import answer_like_providers, give_channels, paths, unit_robot

pytestmark = pytest.mark.django_db


def _rule(event, *units, clause=""):
    rule = NotifyRule.objects.create(event=event, clause=clause)
    rule.units.set(units)
    return rule


def test_c01_report_notifies_related_departments_at_the_same_time(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    _rule(NotifyEvent.REPORTED, org.department, clause="C01")
    unit_robot(org.department, local_server, kind="dingtalk", name="jiaowu")
    give_channels(org.handler, local_server, kinds=("webhook",))
    incident = detect(org)

    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)

    notification = Notification.objects.get(incident=incident)
    assert (notification.reason, notification.clause, notification.asks_ack) == (
        "reported", "C01", False)
    assert notification.title.startswith(f"【通报】舆情已报告 — #{incident.pk}")
    assert {(d.recipient_label, d.channel_kind, d.status)
            for d in notification.deliveries.all()} == {
        ("李值班", "inbox", "sent"), ("钱承办", "inbox", "sent"),
        ("钱承办", "webhook", "sent"), ("教务处群机器人（教务处）", "dingtalk", "sent")}
    assert sorted(paths(local_server)) == ["/hooks/handler", "/robot/send"]
    hook = next(r for r in local_server.received if r.path == "/hooks/handler").json()
    assert hook["ack_url"] is None  # informational: nobody is asked to acknowledge
    assert hook["body"] == incident.summary
    assert incident.timeline.filter(event=Event.NOTIFICATION).count() == 4


def test_c04_major_incident_is_notified_to_the_superior_department_once(
        org, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    _rule(NotifyEvent.MAJOR, org.superior, org.leadership)
    give_channels(org.superior_contact, local_server, kinds=("webhook",))
    incident = detect(org)
    report(org, incident)

    with django_capture_on_commit_callbacks(execute=True):
        classify(org, incident, severity="major")
    from incidents import actions
    with django_capture_on_commit_callbacks(execute=True):
        actions.upgrade_severity(incident, org.staff.user, severity="especially_major",
                                 reason="主流网站转载超过 5 家")

    notification = Notification.objects.get(incident=incident)
    assert notification.reason == "major" and notification.clause == "C04"
    assert "向上级主管部门报告" in notification.label
    assert {d.person for d in notification.deliveries.filter(channel_kind="inbox")} == {
        org.superior_contact, org.leader}
    assert paths(local_server) == ["/hooks/superior"]
    assert "【重大】舆情通报" in local_server.last.json()["title"]


def test_no_rule_no_notice(org, django_capture_on_commit_callbacks):
    incident = detect(org)
    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)
    assert not Delivery.objects.exists()


def test_rule_of_another_plan_does_not_apply(org, django_capture_on_commit_callbacks):
    from plans.models import ResponsePlan
    other = ResponsePlan.objects.get(family="one-hour")
    rule = _rule(NotifyEvent.REPORTED, org.department)
    rule.plan = other
    rule.save()
    incident = detect(org)
    assert incident.plan != other
    with django_capture_on_commit_callbacks(execute=True):
        report(org, incident)
    assert not Notification.objects.exists()
