"""C06: a lead left untouched past the plan's triage window (30 min) escalates like any
deadline: the breach is recorded once, and the officer on shift is told once, on their own
channels and in their inbox, then the office; handling the lead first means nobody is told."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from intake import actions, triage
from intake.links import Item
from intake.models import DutyShift, LeadEntry, LeadTriage
from intake.receiving import ingest
from intake.sources import create_source
from notifications import delivery
from notifications.models import Delivery, InboxItem, Notification

from .test_delivery_support import answer_like_providers, give_channels, unit_robot

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver-site"


@pytest.fixture
def lead(org):
    DutyShift.objects.create(unit=org.department, person=org.duty,
                             starts_at=T0 - timedelta(hours=1), ends_at=T0 + timedelta(hours=8))
    with time_machine.travel(T0, tick=False):
        source = create_source(kind="api", name="清博接口", unit_id=org.department.pk)
        return ingest(source, [Item(title="某校食堂饭菜变质引发家长聚集",
                                    url="https://weibo.com/1/a")], body={}).created[0]


def triage_sweep_at(moment, capture):
    """The intake triage sweep at `moment`, running what it queues on commit (eager tasks)."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return triage.sweep(moment)


def test_c06_untouched_lead_tells_the_officer_on_shift_once(
        org, lead, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("dingtalk",))

    assert triage_sweep_at(T0 + timedelta(minutes=29), django_capture_on_commit_callbacks) \
        == ([], [])
    assert not Notification.objects.exists() and local_server.received == []

    breached, _ = triage_sweep_at(T0 + timedelta(minutes=30), django_capture_on_commit_callbacks)
    again, _ = triage_sweep_at(T0 + timedelta(minutes=31), django_capture_on_commit_callbacks)

    assert breached == [lead.triage.pk] and again == []
    row = LeadTriage.objects.get(lead=lead)
    assert (row.state, row.breached_at) == ("breached", T0 + timedelta(minutes=30))
    notification = Notification.objects.get()
    assert (notification.lead_id, notification.incident_id, notification.reason,
            notification.level) == (lead.pk, None, "lead_triage", 1)
    copies = {d.channel_kind: d for d in
              Delivery.objects.filter(notification=notification, person__isnull=False)}
    assert {k: (d.person, d.status) for k, d in copies.items()} == {
        "inbox": (org.duty, "sent"), "dingtalk": (org.duty, "sent")}
    assert len(local_server.received) == 1
    robot = local_server.last.json()["markdown"]
    assert robot["title"].startswith("【超时】线索未研判 — 某校食堂饭菜变质")
    assert "已超时 0 分钟" not in robot["text"] and f"线索 #{lead.pk}" in robot["text"]
    assert f"http://testserver-site/intake/leads/?lead={lead.pk}" in robot["text"]
    inbox = InboxItem.objects.get(person=org.duty)
    assert inbox.action_url == f"http://testserver-site/intake/leads/?lead={lead.pk}"
    history = list(LeadEntry.objects.filter(lead=lead, event="notified")
                   .values_list("note", flat=True))
    assert len(history) == 2 and all("李值班：已发送" in note for note in history)


def test_c06_lead_triaged_within_the_window_tells_nobody(
        org, lead, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("dingtalk",))
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        actions.dismiss_lead(lead, org.duty.user, reason="商业广告，与本单位无关")

    for minutes in (30, 45, 75, 300):
        assert triage_sweep_at(T0 + timedelta(minutes=minutes),
                               django_capture_on_commit_callbacks) == ([], [])

    assert LeadTriage.objects.get(lead=lead).state == "met"
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert local_server.received == []


def test_c06_unhandled_lead_climbs_to_the_office_robot(
        org, lead, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    unit_robot(org.office, local_server, kind="wecom", name="office")
    triage_sweep_at(T0 + timedelta(minutes=30), django_capture_on_commit_callbacks)
    _, climbed = triage_sweep_at(T0 + timedelta(minutes=45), django_capture_on_commit_callbacks)

    assert len(climbed) == 1
    rung = Notification.objects.get(level=2)
    assert rung.lead_id == lead.pk
    office_copies = Delivery.objects.filter(notification=rung, unit=org.office)
    assert [(d.channel_kind, d.status) for d in office_copies] == [("wecom", "sent")]
    assert sorted(InboxItem.objects.filter(notification=rung)
                  .values_list("person__name", flat=True)) == ["周审计", "赵干事"]
    assert rung.body.startswith("第 2 级通知")


def test_c06_lead_handled_after_the_breach_cancels_what_is_still_queued(
        org, lead, local_server, django_capture_on_commit_callbacks):
    answer_like_providers(local_server)
    give_channels(org.duty, local_server, kinds=("dingtalk",))
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        triage.sweep(T0 + timedelta(minutes=30))  # planned, the sends not run yet
    with time_machine.travel(T0 + timedelta(minutes=31), tick=False):
        actions.open_incident(lead, org.duty.user)
        outcomes = {delivery.attempt(d.pk, str(d.attempt_token))
                    for d in Delivery.objects.filter(notification__lead=lead)}

    assert outcomes == {delivery.Outcome.CANCELLED}
    assert local_server.received == []
