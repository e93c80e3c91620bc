"""The worker's event loop fires every due ETA timer at once, not ten per turn of the loop.

kombu's `Hub.fire_timers` runs at most `max_timers` (10) due timer entries per turn of the
event loop, and when the last entry it looked at was due it returns `min_delay` (1 s) as the
poll timeout: the eleventh ETA task due at the same moment then waits until a socket wakes
the loop, or up to a second. A backlog of due ETA tasks (a stalled second, a burst) so drains
at about ten a second while more fall due: measured with bench/deadlines.py (BENCH_TRACE=1),
the ETA-only baseline fired 579 of 1,000 deadlines due at 50/s, and the engine's fast-path
tasks started a median 620 ms after their due time.

`PromptTimers` (a worker bootstep, added in opinion_ops.celery) wraps the hub's fire_timers:
while the head of the timer queue is already due it answers 0, so the loop polls its sockets
without waiting and fires the next ten on its next turn. Nothing else changes: the same
entries fire, in the same order, once each.
"""
from time import monotonic

from celery import bootsteps


def fire_due_timers_promptly(hub) -> None:
    """Wrap `hub.fire_timers` (once) so that it never sleeps while a timer is due."""
    fire = hub.fire_timers
    if getattr(fire, "prompt", False):
        return

    def fire_timers(min_delay=1, max_delay=10, max_timers=10, propagate=()):
        delay = fire(min_delay=min_delay, max_delay=max_delay, max_timers=max_timers,
                     propagate=propagate)
        queue = hub.timer._queue  # a heap of (monotonic eta, priority, entry)
        if queue and queue[0][0] <= monotonic():
            return 0
        return delay

    fire_timers.prompt = True
    hub.fire_timers = fire_timers


class PromptTimers(bootsteps.Step):
    """Worker step: after the hub is made and before its loop is built (create_loop binds
    fire_timers once), make it fire due timers without the one-second wait."""

    requires = ("celery.worker.components:Hub",)

    def include_if(self, w):
        return w.use_eventloop

    def create(self, w):
        if w.hub is not None:
            fire_due_timers_promptly(w.hub)
