"""C21, C24: the auditor's pages — an incident's findings with evidence, the compliance page
with its charts and exports, the chain check — and the log of every page an auditor opens."""
import pytest
from django.test import Client

from audit.models import AccessLog, Finding
from tests.audit.stories import T, at, detect, minutes, report
from tests.audit.tampering import bypass_triggers, raw

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_c21_auditor_sees_an_incidents_findings_with_evidence_and_decides_on_the_page(org):
    incident = detect(org)
    report(org, incident, T + minutes(150))
    with at(T + minutes(160)):
        client = login(org.auditor.user)
        page = client.get(f"/audit/incidents/{incident.pk}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "迟报 30 分钟" in text and "哈希链完整" in text
        finding = Finding.objects.get(incident=incident)
        assert f"deadline #{finding.deadline_id}" in text
        client.post(f"/audit/findings/{finding.pk}/confirm/", {"reason": ""})
        finding.refresh_from_db()
        assert finding.status == Finding.Status.OPEN  # a reason is required
        client.post(f"/audit/findings/{finding.pk}/confirm/", {"reason": "无正当理由"})
        finding.refresh_from_db()
        assert finding.status == Finding.Status.CONFIRMED
    logged = AccessLog.objects.filter(user=org.auditor.user).values_list("method", "path")
    assert ("GET", f"/audit/incidents/{incident.pk}/") in list(logged)


def test_c21_auditor_opening_a_core_page_is_logged_and_others_are_not(org):
    incident = detect(org)
    assert login(org.auditor.user).get(f"/incidents/{incident.pk}/").status_code == 200
    login(org.staff.user).get(f"/incidents/{incident.pk}/")
    rows = list(AccessLog.objects.values_list("user__username", "kind", "path"))
    assert rows == [("auditor", "page", f"/incidents/{incident.pk}/")]


def test_c21_compliance_page_draws_its_charts_and_exports(org):
    incident = detect(org)
    report(org, incident, T + minutes(150))
    with at(T + minutes(200)):
        client = login(org.auditor.user)
        page = client.get("/audit/compliance/", {"from": "2026-03-01", "to": "2026-03-31"})
        assert page.status_code == 200
        assert page.content.decode().count("<svg") == 2
        export = client.get("/audit/compliance/", {"from": "2026-03-01", "to": "2026-03-31",
                                                   "format": "xlsx"})
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
        bad = client.get("/audit/compliance/", {"from": "2026-03-31", "to": "2026-03-01"})
        assert bad.status_code == 400
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).count() == 1
    assert login(org.handler.user).get("/audit/compliance/").status_code == 403


def test_c24_chain_page_turns_red_naming_the_entry(org):
    incident = detect(org)
    client = login(org.auditor.user)
    assert "全部 1 条哈希链完整" in client.get("/audit/chains/").content.decode()
    entry = incident.timeline.first()
    bypass_triggers("incidents_timelineentry")
    raw("UPDATE incidents_timelineentry SET note = 'changed' WHERE id = %s", [entry.pk])
    text = client.get("/audit/chains/").content.decode()
    assert f"timeline entry {entry.pk}" in text
