"""C21, C24: a step's stated time never erases what was recorded. A report filed after the sweep
breached and escalated its deadline, stating a time inside the window, leaves the deadline
breached for good and marks it met, recorded late (补录), with both times."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, models, transaction
from django.db.utils import DatabaseError, IntegrityError
from django.urls import reverse
from rest_framework.test import APIClient

from briefings.documents.audit import findings
from incidents import actions
from incidents.models import (AppendOnlyError, Channel, Deadline, DeadlineChange, Escalation,
                              EscalationChange, Event)
from plans.models import Audience, DeadlineKind
from tests.factories import incident_kwargs
from tests.incidents.helpers import deadline, events
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DUE = T + timedelta(hours=2)
SWEPT = T + timedelta(hours=2, minutes=1)
STATED, RECORDED = T + timedelta(hours=1), T + timedelta(hours=3)
DEADLINES = "/api/v1/deadlines/"
REFUSED = (DatabaseError, IntegrityError)


def at(moment):
    return time_machine.travel(moment, tick=False)


def detect_at_t(org, **overrides):
    with at(T):
        return actions.detect_incident(org.duty.user,
                                       **incident_kwargs(discovered_at=T, **overrides))


def report_at(org, incident, recorded, stated=None, reason="值班电话记录事后补录"):
    with at(recorded):
        return actions.report_incident(incident, org.duty.user, actions.Step(
            channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话报告",
            occurred_at=stated, late_reason=reason if stated else ""))


@pytest.fixture
def backdated(org):
    """Detected at T; the sweep at T+2h01 breaches and escalates the C01 report deadline; the
    report is filed at T+3h, stating it was made at T+1h."""
    incident = detect_at_t(org)
    with at(SWEPT):
        assert sweep_all().breached == [deadline(incident, DeadlineKind.REPORT).pk]
    report_at(org, incident, RECORDED, stated=STATED)
    return incident


def test_c21_report_stated_before_a_recorded_breach_stays_breached_and_is_marked_recorded_late(
        org, backdated):
    row = deadline(backdated, DeadlineKind.REPORT)
    assert row.clause == "C01"
    assert row.state == Deadline.State.BREACHED
    assert row.breached_at == SWEPT
    assert (row.met_at, row.met_recorded_at) == (STATED, RECORDED)
    assert row.recorded_late and row.is_late and not row.is_overdue(RECORDED)
    assert row.minutes_late == -60  # by the statement; the record says breached

    escalation = Escalation.objects.get(deadline=row)
    assert escalation.state == Escalation.State.RESOLVED  # nothing left to chase
    [notice] = escalation.notices.all()
    assert notice.audience == Audience.OWNER and list(notice.recipients.all()) == [org.duty]
    assert escalation.changes.last().state == Escalation.State.RESOLVED

    history = list(row.changes.order_by("recorded_at", "id"))
    assert history[0].kind == DeadlineChange.Kind.OPENED
    last = history[-1]
    assert last.kind == DeadlineChange.Kind.MET_RECORDED_LATE
    assert last.state == Deadline.State.BREACHED
    assert (last.stated_at, last.recorded_at) == (STATED, RECORDED)

    [breach] = events(backdated, Event.DEADLINE_BREACHED)
    assert breach.recorded_at == SWEPT
    [met] = events(backdated, Event.DEADLINE_MET)
    assert (met.occurred_at, met.recorded_at) == (STATED, RECORDED)
    assert "补录" in met.note
    for local in ("2026-11-23 11:00:00", "2026-11-23 13:00:00", "2026-11-23 12:01:00"):
        assert local in met.note  # stated, recorded, breached: Shanghai time
    assert met.data["recorded_late"] is True and met.data["on_time"] is False
    assert len(events(backdated, Event.ESCALATED)) == 1


def test_c21_audit_finds_the_backdated_report_late(org, backdated):
    text = " ".join(findings([deadline(backdated, DeadlineKind.REPORT)]))
    assert "迟报1项" in text and "补录" in text and "11月23日 11:00" in text


def test_c21_report_stated_after_due_on_a_pending_row_is_breached_late(org):
    incident = detect_at_t(org)  # no sweep ran: the row is still pending when the report comes
    report_at(org, incident, DUE + timedelta(minutes=20), stated=DUE + timedelta(minutes=10))
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.state == Deadline.State.BREACHED and row.breached_at == DUE
    assert row.minutes_late == 10 and not row.recorded_late
    assert row.changes.last().kind == DeadlineChange.Kind.MET_LATE
    assert "逾期履行，迟10分钟" in events(incident, Event.DEADLINE_MET)[0].note


def test_c01_report_on_time_is_met_with_both_times(org):
    incident = detect_at_t(org)
    report_at(org, incident, T + timedelta(minutes=50), stated=T + timedelta(minutes=45))
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.state == Deadline.State.MET and row.breached_at is None
    assert row.met_at == T + timedelta(minutes=45)
    assert row.met_recorded_at == T + timedelta(minutes=50)
    assert not row.recorded_late and not row.is_late
    assert [c.kind for c in row.changes.all()] == [DeadlineChange.Kind.OPENED,
                                                   DeadlineChange.Kind.MET]


def test_c24_api_shows_the_backdated_row_breached_with_both_times(org, backdated):
    client = APIClient()
    client.force_authenticate(org.staff.user)
    with at(RECORDED + timedelta(minutes=5)):
        response = client.get(DEADLINES, {"incident": backdated.pk, "kind": "report"})
    assert response.status_code == 200
    [row] = response.data["results"]
    assert row["state"] == "breached"
    assert row["breached_at"] == "2026-11-23T12:01:00+08:00"
    assert row["met_at"] == "2026-11-23T11:00:00+08:00"
    assert row["met_recorded_at"] == "2026-11-23T13:00:00+08:00"
    assert row["recorded_late"] is True and row["overdue"] is False
    assert row["escalation"]["state"] == "resolved"


def test_c24_orm_refuses_to_erase_a_breach(org, backdated):
    row = deadline(backdated, DeadlineKind.REPORT)
    with pytest.raises(AppendOnlyError):
        Deadline.objects.filter(pk=row.pk).update(breached_at=None)
    row.state, row.breached_at = Deadline.State.MET, None
    with pytest.raises(AppendOnlyError):
        row.save()
    assert deadline(backdated, DeadlineKind.REPORT).breached_at == SWEPT


@pytest.mark.parametrize("change", [
    {"breached_at": None},
    {"breached_at": DUE},
    {"state": Deadline.State.MET},
    {"met_at": DUE + timedelta(hours=1)},
    {"met_recorded_at": STATED},
], ids=["clear-breached-at", "move-breached-at", "state-met", "rewrite-met-at",
        "rewrite-met-recorded-at"])
def test_c24_database_refuses_an_update_that_erases_the_record(org, backdated, change):
    row = deadline(backdated, DeadlineKind.REPORT)
    with pytest.raises(REFUSED), transaction.atomic():
        # QuerySet.update itself, past the model's own guard: the trigger must hold alone.
        models.QuerySet.update(Deadline.objects.filter(pk=row.pk), **change)
    row.refresh_from_db()
    assert (row.state, row.breached_at, row.met_at) == (Deadline.State.BREACHED, SWEPT, STATED)


def test_c24_database_still_takes_updates_that_erase_nothing(org, backdated):
    row = deadline(backdated, DeadlineKind.REPORT)
    assert Deadline.objects.filter(pk=row.pk).update(warned_at=RECORDED) == 1


@pytest.mark.parametrize("table", ["incidents_deadlinechange", "incidents_escalationchange"])
def test_c24_database_refuses_raw_update_of_the_history(org, backdated, table):
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET note = 'x'")


@pytest.mark.parametrize("table", ["incidents_deadlinechange", "incidents_escalationchange"])
def test_c24_database_refuses_raw_delete_of_the_history_on_postgresql(org, backdated, table):
    if connection.vendor != "postgresql":
        pytest.skip("the delete triggers are PostgreSQL-only: SQLite's test flush empties "
                    "tables with DELETE, so there only UPDATE is refused")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    assert DeadlineChange.objects.exists() and EscalationChange.objects.exists()


def test_c24_orm_refuses_to_change_the_history(org, backdated):
    change = DeadlineChange.objects.first()
    for attempt in (lambda: DeadlineChange.objects.update(note="x"),
                    lambda: EscalationChange.objects.all().delete(),
                    lambda: change.delete(),
                    lambda: DeadlineChange.objects.bulk_update([change], ["note"])):
        with pytest.raises(AppendOnlyError):
            attempt()


def test_c21_overdue_agrees_between_the_api_filter_and_the_admin_filters(org, admin_client):
    """Every kind of report row: met on time, filed late on a pending row, backdated after its
    breach (补录), breached and never done, past due before any sweep saw it, not yet due.
    Overdue is one set for the API, both admin filters and the queryset."""
    on_time, late, backdated, missed = (detect_at_t(org, title=title)
                                        for title in ("按时", "迟报", "补录", "漏报"))
    report_at(org, on_time, T + timedelta(minutes=30))
    with at(SWEPT):
        assert len(sweep_all().breached) == 3
    report_at(org, late, RECORDED, stated=DUE + timedelta(minutes=30))
    report_at(org, backdated, RECORDED, stated=STATED)
    with at(T + timedelta(hours=2, minutes=40)):
        unswept, ahead = (actions.detect_incident(org.duty.user, **incident_kwargs(
            title=title, discovered_at=found)) for title, found in (
                ("未扫", T + timedelta(hours=1)), ("未到", T + timedelta(hours=2, minutes=39))))
    now = T + timedelta(hours=3, minutes=5)  # unswept was due at T+3h; no sweep since T+2h01

    reports = Deadline.objects.filter(kind=DeadlineKind.REPORT)
    expected = {deadline(i, DeadlineKind.REPORT).pk for i in (missed, unswept)}
    assert set(reports.overdue(now).values_list("pk", flat=True)) == expected
    assert {d.pk for d in reports if d.is_overdue(now)} == expected

    client = APIClient()
    client.force_authenticate(org.staff.user)
    with at(now):
        api = client.get(DEADLINES, {"overdue": "true", "kind": "report"}).data["results"]
        api_not = client.get(DEADLINES, {"overdue": "false", "kind": "report"}).data["results"]
        admin_rows = admin_client.get(reverse("admin:incidents_deadline_changelist"),
                                      {"overdue": "yes", "kind__exact": "report"})
        admin_incidents = admin_client.get(reverse("admin:incidents_incident_changelist"),
                                           {"overdue": "yes"})
    assert {row["id"] for row in api} == expected
    assert all(row["overdue"] for row in api) and not any(row["overdue"] for row in api_not)
    assert {row["id"] for row in api + api_not} == set(reports.values_list("pk", flat=True))
    assert {d.pk for d in admin_rows.context["cl"].result_list} == expected
    assert {i.pk for i in admin_incidents.context["cl"].result_list} == {missed.pk, unswept.pk}
    assert set(reports.late().values_list("incident", flat=True)) == {
        late.pk, backdated.pk, missed.pk}
    assert ahead.pk not in set(reports.overdue(now).values_list("incident", flat=True))
