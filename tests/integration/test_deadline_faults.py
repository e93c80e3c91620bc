"""The deadline engine on a real worker and beat when things go wrong.

Each test creates deadlines a few seconds ahead and waits (polling the database, with a
generous bound) for them to fire, then checks they fired exactly once: one `breached` row,
one timeline entry, one escalation — whatever happened to the worker, beat or broker meanwhile.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import actions
from incidents.models import Deadline, Escalation, Event, TimelineEntry
from plans.models import DeadlineKind
from incidents.tasks import fire_deadline
from tests.factories import incident_kwargs

pytestmark = pytest.mark.integration


def _urgent_incident_due_in(org, seconds: float):
    """An urgent incident whose 30-minute verbal-report deadline (C02) is `seconds` away."""
    discovered = timezone.now() - timedelta(minutes=30) + timedelta(seconds=seconds)
    incident = actions.detect_incident(
        org.duty.user, **incident_kwargs(discovered_at=discovered, urgent=True))
    return Deadline.objects.get(incident=incident, kind=DeadlineKind.VERBAL_REPORT)


def _received_fire_tasks(worker) -> int:
    return sum(1 for line in worker.log().splitlines()
               if "incidents.tasks.fire_deadline[" in line and line.rstrip().endswith("received"))


def _fired(deadline_ids):
    return Deadline.objects.filter(pk__in=deadline_ids,
                                   state=Deadline.State.BREACHED).count() == len(deadline_ids)


def _assert_fired_once(deadline_ids):
    for pk in deadline_ids:
        row = Deadline.objects.get(pk=pk)
        assert row.state == Deadline.State.BREACHED
        entries = TimelineEntry.objects.filter(event=Event.DEADLINE_BREACHED, data__deadline=pk)
        assert entries.count() == 1, f"deadline {pk} breached {entries.count()} times"
        assert entries.get().clause == "C02"
        assert Escalation.objects.filter(deadline_id=pk).count() == 1
        notices = Escalation.objects.get(deadline_id=pk).notices.filter(level=1)
        assert notices.count() == 1


def test_c02_deadline_a_few_seconds_ahead_fires_from_the_sweep_alone(org, stack, wait_until,
                                                                    settings):
    settings.DEADLINE_ETA_HORIZON_SECONDS = 0  # no ETA task: only beat's sweep can fire it
    stack.start_worker()
    stack.start_beat()
    row = _urgent_incident_due_in(org, 3)
    wait_until(lambda: _fired([row.pk]), timeout=60, message="the sweep never fired it")
    _assert_fired_once([row.pk])


def test_c02_worker_killed_holding_the_eta_task_still_fires_once(org, stack, wait_until):
    stack.start_worker()
    row = _urgent_incident_due_in(org, 12)
    wait_until(lambda: _received_fire_tasks(stack.worker) >= 1,
               timeout=30, message="the worker never took the ETA task")
    stack.kill_worker()  # SIGKILL while the task sits unacknowledged in its memory
    stack.start_worker()
    stack.start_beat()
    wait_until(lambda: _fired([row.pk]), timeout=60, message="not fired after the restart")
    # The killed worker's task comes back only after the visibility timeout (an hour): the
    # sweep fired the row; a late copy of the task finds nothing left to claim.
    fire_deadline.apply(args=(row.pk, str(row.fence)))
    _assert_fired_once([row.pk])


def test_c02_redis_stopped_and_started_again_fires_once_after_it_returns(org, stack, own_redis,
                                                                       wait_until):
    stack.start_worker()
    stack.start_beat()
    row = _urgent_incident_due_in(org, 4)
    own_redis.stop()
    due = row.due_at
    wait_until(lambda: timezone.now() > due + timedelta(seconds=3), timeout=30)
    assert Deadline.objects.get(pk=row.pk).state == Deadline.State.PENDING
    own_redis.start()
    # Celery 5.7's worker exits when its broker connection drops (see opinion_ops.keepalive),
    # and so does beat on RedBeat (its schedule and lock are in Redis); as the service manager
    # would, start them again.
    if not stack.worker.is_alive():
        stack.start_worker()
    if not stack.beat.is_alive():
        stack.start_beat()
    wait_until(lambda: _fired([row.pk]), timeout=90,
               message="not fired after the broker came back")
    _assert_fired_once([row.pk])


def test_c02_two_workers_and_two_beats_fire_each_deadline_once(org, stack, wait_until):
    stack.start_worker()
    stack.start_worker()
    stack.start_beat()
    stack.start_beat()
    rows = [_urgent_incident_due_in(org, 4 + i * 0.2) for i in range(10)]
    ids = [row.pk for row in rows]
    wait_until(lambda: _fired(ids), timeout=90, message="not all deadlines fired")
    _assert_fired_once(ids)


def test_c02_short_visibility_timeout_with_eta_beyond_it_fires_once(org, stack, wait_until,
                                                                   settings):
    # Redis redelivers an unacknowledged task after the visibility timeout: a countdown longer
    # than it runs again. The engine never queues such a task itself (its ETA horizon stays
    # under half the timeout); publish one by hand to show a duplicate is harmless.
    stack.set_env(CELERY_VISIBILITY_TIMEOUT="3")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3}
    stack.start_worker()
    stack.start_beat()
    row = _urgent_incident_due_in(org, 10)
    for _ in range(2):
        fire_deadline.apply_async((row.pk, str(row.fence)), eta=row.due_at)
    wait_until(lambda: _fired([row.pk]), timeout=60, message="not fired")
    wait_until(lambda: _received_fire_tasks(stack.worker) >= 2,
               timeout=30, message="the worker never ran the duplicate tasks")
    _assert_fired_once([row.pk])
