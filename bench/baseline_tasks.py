"""The baseline the deadline benchmark compares against: deadlines kept only as Celery ETA tasks.

Each firing is appended to a Redis list, so lost and duplicated firings can be counted. The
bench publishes them to the `baseline` queue, which only the baseline's own worker consumes.
"""
import os
import time

import redis
from celery.signals import worker_ready

from opinion_ops.celery import app

FIRED_KEY = "bench:baseline:fired"
READY_KEY = "bench:worker:ready"


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
