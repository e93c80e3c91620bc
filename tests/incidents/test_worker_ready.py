"""Issue 16: the backlog a worker SIGKILL leaves is cleared within 1 s of the restarted worker
being ready, so a deadlines worker sweeps as soon as it is ready instead of waiting for beat."""
from types import SimpleNamespace

import pytest

from incidents import tasks


def worker_of(*queues):
    """What Celery passes worker_ready: the consumer, whose app knows the queues it reads."""
    return SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(
        queues=SimpleNamespace(consume_from={name: object() for name in queues}))))


@pytest.fixture
def published(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.sweep_deadlines, "apply_async",
                        lambda *args, **kwargs: calls.append(kwargs))
    return calls


def test_a_ready_deadlines_worker_queues_a_sweep_at_once(published):
    tasks.sweep_on_ready(sender=worker_of("deadlines"))
    assert published == [{"queue": "deadlines", "retry": False}]


def test_a_worker_of_other_queues_queues_no_sweep(published):
    tasks.sweep_on_ready(sender=worker_of("deliveries"))
    tasks.sweep_on_ready(sender=None)
    assert published == []


def test_a_broker_outage_at_start_up_does_not_stop_the_worker(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.sweep_deadlines, "apply_async", down)
    tasks.sweep_on_ready(sender=worker_of("deadlines"))  # logs; beat's sweeps cover the rows
