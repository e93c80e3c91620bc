"""The baseline the deadline benchmark compares against: deadlines kept only as Celery ETA tasks.

Each firing is appended to a Redis list, so lost and duplicated firings can be counted. The
bench publishes them to the `baseline` queue, which only the baseline's own worker consumes.
"""
import os
import time

import redis
from celery.signals import task_prerun, task_received, worker_ready

from opinion_ops.celery import app

FIRED_KEY = "bench:baseline:fired"
READY_KEY = "bench:worker:ready"
STARTED_KEY = "bench:engine:started"  # with BENCH_TRACE=1: when each fire_deadline began
_trace = None


@task_received.connect
def mark_received(sender=None, request=None, **kwargs) -> None:
    """With BENCH_TRACE=1, when the worker took each ETA message off the broker (its timer
    holds it from then until the due time)."""
    global _trace
    if os.environ.get("BENCH_TRACE") != "1" or request is None or request.name not in (
            "incidents.tasks.fire_deadline", "bench.baseline_fire"):
        return
    if _trace is None:
        _trace = redis.Redis.from_url(os.environ["BENCH_RECORD_URL"])
    role = "engine" if request.name == "incidents.tasks.fire_deadline" else "baseline"
    _trace.rpush(f"bench:{role}:received", f"{request.args[0]}:{time.time():.6f}")


@task_prerun.connect
def mark_started(sender=None, args=None, **kwargs) -> None:
    """With BENCH_TRACE=1, the moment each engine ETA task starts running in its pool process,
    so the bench can split lateness into the wait for a process and the firing itself."""
    global _trace
    if os.environ.get("BENCH_TRACE") != "1" or sender is None \
            or sender.name != "incidents.tasks.fire_deadline":
        return
    if _trace is None:
        _trace = redis.Redis.from_url(os.environ["BENCH_RECORD_URL"])
    _trace.rpush(STARTED_KEY, f"{args[0]}:{time.time():.6f}")


@worker_ready.connect
def mark_ready(sender=None, **kwargs) -> None:
    """Lets the benchmark measure from the moment a restarted worker can work again; the
    bench names its workers bench-<role>-<n>@host."""
    role = sender.hostname.split("@")[0].split("-")[1] if sender is not None else "engine"
    client = redis.Redis.from_url(os.environ["BENCH_RECORD_URL"])
    client.set(f"{READY_KEY}:{role}", f"{time.time():.6f}")


@app.task(name="bench.baseline_fire", acks_late=True, ignore_result=True)
def baseline_fire(deadline_id: int) -> None:
    client = redis.Redis.from_url(os.environ["BENCH_RECORD_URL"])
    client.rpush(FIRED_KEY, f"{deadline_id}:{time.time():.6f}")
