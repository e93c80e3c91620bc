"""The incident page shows the spread's trend, the deliveries and the documents, live."""
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from briefings import generation
from briefings.models import Briefing
from incidents import actions
from incidents.classification import Heat
from notifications.models import Delivery, Notification
from organisation import roles
from tests.factories import UnitFactory, person_with_role

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_c07_the_metrics_trend_is_drawn_on_the_server_one_panel_per_figure(office):
    incident = office.general
    start = timezone.now()
    for minutes, clicks in [(0, 1200), (30, 5400), (60, 23000)]:
        with time_machine.travel(start + timezone.timedelta(minutes=minutes), tick=False):
            incident = actions.record_metrics(
                incident, office.users["office"], stage="outbreak",
                heat=Heat(clicks=clicks, comments=clicks // 10, mainstream_sites=3),
                heat_index=Decimal("41.5"))
    html = client_of(office.users["office"]).get(f"/incidents/{incident.pk}/").content.decode()
    trend = html.split('id="metrics-trend"')[1].split("</div>")[0]
    assert trend.count("<svg") == 4 and trend.count("<polyline") == 4
    assert "点击量 <strong>23,000</strong>" in trend and "热度指数 <strong>41.50</strong>" in trend
    clicks = trend.split("<polyline points=\"")[1].split('"')[0].split()
    ys = [float(point.split(",")[1]) for point in clicks]
    assert ys[0] > ys[1] > ys[2]  # rising clicks climb towards the top of the panel
    assert "http" not in trend


def delivery(incident, person, status=Delivery.Status.SENT) -> Delivery:
    notification = Notification.objects.create(
        incident=incident, reason=Notification.Reason.REPORTED, title=f"#{incident.pk} 已报告",
        label="报告", due_at=timezone.now(), key=f"t-{incident.pk}-{person.pk}",
        created_at=timezone.now())
    return Delivery.objects.create(notification=notification, person=person,
                                   channel_kind="sms", recipient_label=f"{person.name} 13800000000",
                                   status=status, attempts=1, created_at=timezone.now())


def test_deliveries_are_listed_on_the_incident_page_addresses_for_the_office_only(office):
    delivery(office.urgent, office.org.leader)
    page = f"/incidents/{office.urgent.pk}/"
    seen_by_office = client_of(office.users["office"]).get(page).content.decode()
    section = seen_by_office.split('id="deliveries"')[1].split("</table>")[0]
    assert section.count('class="delivery ') == 1 and "13800000000" in section
    assert f"#{office.urgent.pk} 已报告" in section and "已发送" in section
    seen_by_duty = client_of(office.users["duty"]).get(page).content.decode()
    section = seen_by_duty.split('id="deliveries"')[1].split("</table>")[0]
    assert office.org.leader.name in section and "13800000000" not in section
    other = client_of(office.users["office"]).get(f"/incidents/{office.overdue.pk}/")
    assert "暂无投递记录" in other.content.decode()


def test_the_documents_rows_say_when_a_queued_briefing_is_ready(office, monkeypatch):
    monkeypatch.setattr(generation, "_enqueue", lambda briefing_id: None)  # no worker yet
    client = client_of(office.users["office"])
    client.post(f"/incidents/{office.reported.pk}/briefings/", {"kind": "written_report"})
    briefing = Briefing.objects.get(incident=office.reported)
    page = client.get(f"/incidents/{office.reported.pk}/").content.decode()
    assert 'id="briefing-rows"' in page and "data-pending" in page and "排队生成" in page
    rows_url = f"/incidents/{office.reported.pk}/briefings/rows/"
    queued = client.get(rows_url)
    assert queued["X-Briefings-Pending"] == "1" and "下载 PDF" not in queued.content.decode()
    generation.generate_briefing(briefing.pk)
    ready = client.get(rows_url)
    assert ready["X-Briefings-Pending"] == "0"
    assert ready["X-Briefings-Stamp"] != queued["X-Briefings-Stamp"]
    assert f"/api/v1/briefings/{briefing.pk}/download/" in ready.content.decode()


def test_the_documents_rows_of_an_incident_one_cannot_see_are_not_found(office):
    stranger = person_with_role(roles.DUTY_OFFICER, UnitFactory(name="外校"), "外校值班员",
                                "stranger")
    response = client_of(stranger.user).get(f"/incidents/{office.reported.pk}/briefings/rows/")
    assert response.status_code == 404
