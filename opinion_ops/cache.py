"""The default cache (settings CACHES), where the rate limits count (opinion_ops.rate_limits,
the API throttle).

With REDIS_URL set (production, CI, `bin/demo`) every web process counts in one Redis, so a
limit is a limit for the site, not per gunicorn worker: Django's own Redis backend, on
CACHE_REDIS_URL if given (a Redis database of its own), else on REDIS_URL's database under the
key prefix CACHE_KEY_PREFIX, beside the broker's keys (`_kombu.*`, `celery`, the RedBeat
schedule) but never touching them. Without REDIS_URL (a newcomer's first run, tests on
SQLite) each process counts in its own memory.

The backend is Django's RedisCache with one change: clear() deletes only the keys under its
prefix. Django's clear() is FLUSHDB, which on the broker's database would drop every queued
task (the tests clear the cache before each test; CI runs them with REDIS_URL set).
"""
from django.core.cache.backends.redis import RedisCache


class PrefixedRedisCache(RedisCache):
    """Django's Redis cache whose clear() removes its own keys only."""

    def clear(self):
        if not self.key_prefix:
            raise ValueError("PrefixedRedisCache needs a KEY_PREFIX: clear() would flush the "
                             "whole Redis database")
        client = self._cache.get_client(write=True)
        pattern = f"{_escape_glob(self.key_prefix)}:*"
        batch = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True


def _escape_glob(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
