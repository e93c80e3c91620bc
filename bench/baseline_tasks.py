"""The baseline the deadline benchmark compares against: deadlines kept only as Celery ETA tasks.

Each firing is appended to a Redis list, so lost and duplicated firings can be counted.
"""
import os
import time

import redis

from opinion_ops.celery import app

FIRED_KEY = "bench:baseline:fired"


@app.task(name="bench.baseline_fire", acks_late=True, ignore_result=True)
def baseline_fire(deadline_id: int) -> None:
    client = redis.Redis.from_url(os.environ["BENCH_RECORD_URL"])
    client.rpush(FIRED_KEY, f"{deadline_id}:{time.time():.6f}")
