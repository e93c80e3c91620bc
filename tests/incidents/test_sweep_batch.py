"""The batch sweep (C01/C02 deadlines breached): due rows claimed in batches, each breached and
escalated once, with a constant number of queries per batch, and the queues that keep a slow
send or a long render from delaying a breach."""
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import sweep
from incidents.models import (Deadline, DeadlineChange, Escalation, EscalationChange,
                              EscalationNotice, Event, Incident, TimelineEntry)
from plans.models import Audience, DeadlineKind
from tests.incidents.helpers import detect

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
VERBAL_DUE = timedelta(minutes=30)


def _urgent_incidents(org, count, discovered_at):
    with time_machine.travel(discovered_at, tick=False):
        return [detect(org, discovered_at=discovered_at, urgent=True) for _ in range(count)]


def _verbal_rows(incidents):
    return list(Deadline.objects.filter(incident__in=incidents, kind=DeadlineKind.VERBAL_REPORT)
                .order_by("pk"))


def _sweep_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return sweep.sweep(**kwargs)


def _assert_breached_and_escalated_once(rows, at):
    """One breach, one history row, one ladder at level 1 with its notice, recipients and
    timeline entry, per row; nothing twice."""
    ids = [row.pk for row in rows]
    assert Deadline.objects.filter(pk__in=ids, state=Deadline.State.BREACHED,
                                   breached_at=at).count() == len(ids)
    for row in rows:
        [entry] = TimelineEntry.objects.filter(event=Event.DEADLINE_BREACHED, data__deadline=row.pk)
        assert entry.incident_id == row.incident_id and entry.clause == "C02"
        assert entry.data["detected_late_ms"] == round((at - row.due_at).total_seconds() * 1000)
        assert entry.note.startswith("紧急口头汇报已超过时限") and entry.actor is None
        [change] = DeadlineChange.objects.filter(deadline=row)\
            .exclude(kind=DeadlineChange.Kind.OPENED)
        assert (change.kind, change.state, change.recorded_at) == (
            DeadlineChange.Kind.BREACHED, Deadline.State.BREACHED, at)
        [escalation] = Escalation.objects.filter(deadline=row)
        assert (escalation.level, escalation.state, escalation.started_at) == (
            1, Escalation.State.OPEN, at)
        assert escalation.next_level_at == at + timedelta(minutes=15)
        [notice] = EscalationNotice.objects.filter(escalation=escalation)
        assert (notice.level, notice.audience) == (1, Audience.OWNER)
        [escalated] = TimelineEntry.objects.filter(event=Event.ESCALATED,
                                                   data__escalation=escalation.pk)
        assert escalated.data["recipients"] == [p.pk for p in notice.recipients.all()]
        assert escalated.recipient == "、".join(p.name for p in notice.recipients.all())
        [history] = EscalationChange.objects.filter(escalation=escalation)
        assert (history.state, history.level, history.recorded_at) == (
            Escalation.State.OPEN, 1, at)


@pytest.mark.django_db
def test_c02_burst_of_due_verbal_reports_each_breached_and_escalated_once(org):
    incidents = _urgent_incidents(org, 12, T0)
    rows = _verbal_rows(incidents)
    at = T0 + VERBAL_DUE + timedelta(seconds=1)

    # Batches of 5: one sweep loops until nothing is due (12 rows: 5 + 5 + 2).
    report = _sweep_at(at, batch=5)

    assert sorted(report.breached) == [row.pk for row in rows]
    _assert_breached_and_escalated_once(rows, at)
    assert [n.recipients.get() for n in EscalationNotice.objects.all()] == [org.duty] * 12
    assert _sweep_at(at + timedelta(seconds=5), batch=5).breached == []
    assert Escalation.objects.count() == 12


@pytest.mark.django_db
def test_c02_a_batch_costs_the_same_queries_for_5_rows_as_for_50(
        org, django_assert_max_num_queries):
    """The queries of one sweep do not grow with the rows it breaches and escalates."""
    first = _urgent_incidents(org, 5, T0)
    with CaptureQueriesContext(connection) as five:
        assert len(_sweep_at(T0 + VERBAL_DUE).breached) == 5
    _sweep_at(T0 + timedelta(days=1))  # the rest of the first incidents' deadlines
    later = T0 + timedelta(days=2)
    second = _urgent_incidents(org, 50, later)

    with django_assert_max_num_queries(len(five)) as fifty:
        assert len(_sweep_at(later + VERBAL_DUE).breached) == 50

    assert len(fifty) == len(five), "\n".join(q["sql"][:120] for q in fifty.captured_queries)
    _assert_breached_and_escalated_once(_verbal_rows(first), T0 + VERBAL_DUE)
    _assert_breached_and_escalated_once(_verbal_rows(second), later + VERBAL_DUE)


@pytest.mark.django_db
def test_c02_the_deliveries_of_a_batch_are_planned_by_one_task_after_commit(
        org, django_capture_on_commit_callbacks):
    _urgent_incidents(org, 7, T0)
    with mock.patch("notifications.ladder.queue_delivery_planning") as queue:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _sweep_at(T0 + VERBAL_DUE)
        queue.assert_not_called()  # nothing is planned inside the committing transaction
        for callback in callbacks:
            callback()
    [call] = queue.call_args_list
    assert sorted(call.args[0]) == sorted(EscalationNotice.objects.values_list("pk", flat=True))
    assert len(call.args[0]) == 7


@pytest.mark.django_db
def test_c02_eta_fast_path_breaches_its_one_row_as_a_batch_of_one(org):
    [one, other] = _verbal_rows(_urgent_incidents(org, 2, T0))
    at = T0 + VERBAL_DUE
    with time_machine.travel(at, tick=False):
        assert sweep.breach(one.pk, fence=str(one.fence)) is True
        assert sweep.breach(one.pk, fence=str(one.fence)) is False
    _assert_breached_and_escalated_once([one], at)
    assert Deadline.objects.get(pk=other.pk).state == Deadline.State.PENDING


@pytest.mark.django_db
def test_c02_eta_task_of_a_burst_claims_every_row_due_with_it_and_later_ones_do_nothing(org):
    rows = _verbal_rows(_urgent_incidents(org, 6, T0))
    at = T0 + VERBAL_DUE
    with time_machine.travel(at, tick=False):
        assert sweep.fire(rows[0].pk, str(rows[0].fence)) is True
        with CaptureQueriesContext(connection) as late:
            assert sweep.fire(rows[3].pk, str(rows[3].fence)) is False
    assert len(late) == 1  # the rest of the burst's ETA tasks are one query each
    _assert_breached_and_escalated_once(rows, at)


@pytest.mark.django_db
def test_eta_task_with_a_stale_fence_or_before_the_due_time_breaches_nothing(org):
    rows = _verbal_rows(_urgent_incidents(org, 2, T0))
    with time_machine.travel(T0 + VERBAL_DUE - timedelta(seconds=1), tick=False):
        assert sweep.fire(rows[0].pk, str(rows[0].fence)) is False
    with time_machine.travel(T0 + VERBAL_DUE, tick=False):
        assert sweep.fire(rows[0].pk, "00000000-0000-0000-0000-000000000000") is False
    assert not Deadline.objects.filter(state=Deadline.State.BREACHED).exists()


@pytest.mark.django_db
def test_c02_rows_coming_within_the_horizon_together_share_one_eta_task_per_window(
        org, django_capture_on_commit_callbacks, settings):
    """A burst falling due in one second queues about ten ETA tasks (one per 100 ms of due
    times, that of the row due last), not one per row."""
    settings.DEADLINE_ETA_HORIZON_SECONDS = 0  # nothing queued when the rows are opened
    rows = _verbal_rows(_urgent_incidents(org, 30, T0))
    second = rows[0].due_at.replace(microsecond=0) + timedelta(seconds=1)
    for i, row in enumerate(rows):  # 10 rows in each of three 100 ms windows
        Deadline.objects.filter(pk=row.pk).update(
            due_at=second + timedelta(milliseconds=100 * (i // 10) + 5 * (i % 10)))
    settings.DEADLINE_ETA_HORIZON_SECONDS = 600
    with mock.patch("incidents.tasks.fire_deadline.apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            with time_machine.travel(second - timedelta(minutes=5), tick=False):
                assert sweep.queue_upcoming(timezone.now(), 500) == 30
    assert Deadline.objects.filter(pk__in=[r.pk for r in rows],
                                   eta_queued_at__isnull=True).count() == 0
    published = [(call.args[0][0], call.kwargs["eta"]) for call in publish.call_args_list]
    assert published == [(rows[9 + 10 * w].pk,
                          second + timedelta(milliseconds=100 * w + 45)) for w in range(3)]


@pytest.mark.django_db
def test_c02_sqlite_without_returning_selects_then_claims_conditionally(org, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the fallback is for SQLite before 3.35")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    rows = _verbal_rows(_urgent_incidents(org, 3, T0))
    at = T0 + VERBAL_DUE
    assert sorted(_sweep_at(at, batch=2).breached) == [row.pk for row in rows]
    _assert_breached_and_escalated_once(rows, at)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_c02_two_concurrent_sweeps_never_double_a_breach(org):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    discovered = timezone.now() - VERBAL_DUE - timedelta(minutes=1)
    with mock.patch("incidents.tasks.fire_deadline.apply_async"):  # no eager ETA breach
        rows = _verbal_rows([detect(org, discovered_at=discovered, urgent=True)
                             for _ in range(40)])
    assert {row.state for row in rows} == {Deadline.State.PENDING}
    barrier = threading.Barrier(2)
    reports, failures = [], []

    def sweeper():
        try:
            barrier.wait()
            reports.append(sweep.sweep(batch=3, budget=60))
        except Exception as failure:  # noqa: BLE001 - reported below
            failures.append(failure)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    first, second = (set(report.breached) for report in reports)
    assert first and second, "both sweepers should have claimed batches"
    assert not first & second
    assert first | second == {row.pk for row in rows}
    for row in rows:
        assert TimelineEntry.objects.filter(event=Event.DEADLINE_BREACHED,
                                            data__deadline=row.pk).count() == 1
        assert Escalation.objects.filter(deadline=row).count() == 1
        assert EscalationNotice.objects.filter(escalation__deadline=row).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_c02_sweep_leaves_an_incident_a_step_holds_and_never_waits_for_it(org):
    """A step locks its incident, then settles its deadlines; a sweep that claimed one of them
    and then waited for the incident would deadlock with it. The sweep takes the incident
    first, without waiting: a held incident's rows are left for the next batch."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    discovered = timezone.now() - VERBAL_DUE - timedelta(minutes=1)
    with mock.patch("incidents.tasks.fire_deadline.apply_async"):  # no eager ETA breach
        held, free = [detect(org, discovered_at=discovered, urgent=True) for _ in range(2)]
    locked, release = threading.Event(), threading.Event()

    def step_holding_the_incident():
        try:
            with transaction.atomic():
                Incident.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    stepper = threading.Thread(target=step_holding_the_incident)
    stepper.start()
    try:
        assert locked.wait(timeout=30)
        began = time.monotonic()
        first = sweep.sweep(budget=0)
        assert time.monotonic() - began < 5
    finally:
        release.set()
        stepper.join(timeout=30)
    [held_row], [free_row] = _verbal_rows([held]), _verbal_rows([free])
    assert first.breached == [free_row.pk]
    assert held_row.state == Deadline.State.PENDING
    assert sweep.sweep(budget=0).breached == [held_row.pk]


# --- queues -----------------------------------------------------------------------------------

@pytest.mark.parametrize("task, queue", [
    ("incidents.tasks.sweep_deadlines", "deadlines"),
    ("incidents.tasks.fire_deadline", "deadlines"),
    ("notifications.tasks.climb_ladders", "deadlines"),
    ("notifications.tasks.plan_notice_deliveries", "deliveries"),
    ("notifications.tasks.attempt_delivery", "deliveries"),
    ("notifications.tasks.announce_incident_event", "deliveries"),
    ("notifications.tasks.sweep_deliveries", "deliveries"),
    ("briefings.tasks.generate_briefing_task", "documents"),
])
def test_each_task_goes_to_its_queue(task, queue):
    from opinion_ops.celery import app

    app.loader.import_default_modules()  # autodiscover_tasks is lazy
    assert task in app.tasks  # the name is a registered task, not a stale route
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_beats_sweep_is_taken_before_the_eta_tasks_of_a_burst():
    """On Redis priority 0 is consumed first: thousands of ETA tasks falling due together
    (Celery's timer fires ten a tick) never hold up the sweep that claims them in batches."""
    from opinion_ops.celery import app

    app.loader.import_default_modules()
    assert app.amqp.router.route({}, "incidents.tasks.fire_deadline")["priority"] == 9
    assert "priority" not in app.amqp.router.route({}, "incidents.tasks.sweep_deadlines")


def test_the_procfile_runs_one_worker_for_every_queue_a_task_can_go_to():
    procfile = (Path(settings.BASE_DIR) / "Procfile").read_text()
    consumed = [match.group(1) for match in re.finditer(r"worker .*-Q (\S+)", procfile)]
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert sorted(consumed) == sorted(routed)
    assert re.search(r"^beat: ", procfile, re.MULTILINE)
