"""Auditor access (issue 13): read-only across the organisation, dismissed and merged incidents
included; every page an auditor opens and every export is itself logged, with no secret in
the stored row."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AccessLog
from incidents import actions, verbs
from incidents.models import State
from tests.audit.stories import T, at, detect, minutes

pytestmark = pytest.mark.django_db


def test_auditor_sees_dismissed_and_merged_incidents_and_may_change_none(org):
    dismissed, merged = detect(org), detect(org, T + minutes(1), title="重复线索")
    target = detect(org, T + minutes(2), title="原事件")
    with at(T + minutes(10)):
        actions.dismiss_incident(dismissed, org.staff.user, actions.Step(note="非舆情"))
        actions.merge_incident(merged, org.staff.user, actions.Step(), into=target)
    api = APIClient()
    api.force_authenticate(org.auditor.user)
    listed = api.get("/api/v1/incidents/", {"state": ["dismissed", "merged"]})
    assert {row["id"] for row in listed.data["results"]} == {dismissed.pk, merged.pk}
    for incident in (dismissed, merged):
        assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    assert not any(org.auditor.user.has_perm(f"incidents.{verb.permission}")
                   for verb in verbs.REGISTRY.values() if verb.permission)
    refused = api.post(f"/api/v1/incidents/{target.pk}/review/", {"findings": "x"},
                       format="json")
    assert refused.status_code == 403
    target.refresh_from_db()
    assert target.state == State.DETECTED


def test_auditors_pages_and_exports_are_logged_without_secrets(org):
    incident = detect(org)
    page = Client()
    page.force_login(org.auditor.user)
    page.get(f"/incidents/{incident.pk}/", {"token": "s3cr3t-value", "q": "食堂"})
    page.get("/audit/compliance/", {"from": "2026-03-01", "to": "2026-03-31", "format": "csv"})
    rows = list(AccessLog.objects.order_by("id"))
    assert [(r.user_id, r.kind) for r in rows] == [(org.auditor.user.pk, "page"),
                                                    (org.auditor.user.pk, "export")]
    assert rows[0].path == f"/incidents/{incident.pk}/" and rows[0].at is not None
    assert "s3cr3t-value" not in rows[0].query and "q=" in rows[0].query
    assert rows[1].status_code == 200 and "format=csv" in rows[1].query


def test_an_export_by_anyone_is_logged(org):
    api = APIClient()
    api.force_authenticate(org.staff.user)  # office staff read the figures too
    response = api.get("/api/v1/audit/compliance/", {"from": "2026-03-01", "to": "2026-03-31",
                                                     "format": "xlsx"})
    assert response.status_code == 200
    [row] = AccessLog.objects.all()
    assert (row.user, row.kind, row.path) == (org.staff.user, "export", "/api/v1/audit/compliance/")
