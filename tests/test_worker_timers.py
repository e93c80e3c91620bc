"""The worker's event loop fires a backlog of due ETA timers without sleeping between tens
(opinion_ops.worker_timers)."""
from time import monotonic

from kombu.asynchronous import Hub
from kombu.asynchronous.timer import Timer

from opinion_ops.celery import app
from opinion_ops.worker_timers import PromptTimers, fire_due_timers_promptly


def _hub_with_due_entries(count: int, fired: list) -> Hub:
    hub = Hub(Timer())
    past = monotonic() - 1
    for n in range(count):
        hub.timer.call_at(past + n * 1e-6, fired.append, (n,))  # distinct: a heap order
    return hub


def test_kombu_alone_would_poll_a_second_with_due_timers_left():
    # What the wrapper is for: ten fire per turn, then a poll timeout of min_delay (1 s).
    fired = []
    hub = _hub_with_due_entries(25, fired)
    assert hub.fire_timers() == 1
    assert fired == list(range(10))


def test_due_timers_left_make_the_loop_poll_without_waiting():
    fired = []
    hub = _hub_with_due_entries(25, fired)
    fire_due_timers_promptly(hub)
    assert hub.fire_timers() == 0
    assert hub.fire_timers() == 0
    assert fired == list(range(20))
    # The last five fire on the next turn; then the queue is empty and the delay is kombu's.
    assert hub.fire_timers() == 1
    assert fired == list(range(25))


def test_a_future_timer_keeps_its_delay():
    hub = Hub(Timer())
    hub.timer.call_at(monotonic() + 0.25, lambda: None)
    fire_due_timers_promptly(hub)
    assert 0 < hub.fire_timers() <= 0.25


def test_wrapping_twice_wraps_once():
    hub = Hub(Timer())
    fire_due_timers_promptly(hub)
    wrapped = hub.fire_timers
    fire_due_timers_promptly(hub)
    assert hub.fire_timers is wrapped


def test_every_worker_of_the_app_gets_the_step():
    assert PromptTimers in app.steps["worker"]
