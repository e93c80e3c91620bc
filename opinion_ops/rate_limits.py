"""Fixed-window rate limits counted in the default cache (shared by every web process when
REDIS_URL is set: settings CACHES), for the login page and the intake endpoints.

    wait = over_limit("login-address", address, limit=20)   # None, or seconds until allowed

Each call counts one hit in the current window of `period` seconds and answers None while the
window has at most `limit` hits. `limit` 0 (or less) disables the limit. The identifier is
hashed into the key, so a user name or an address never appears in the cache's keys.

Django's cache directly rather than django-ratelimit: two cache calls (add, incr) are all it
takes, the views that refuse answer in their own shapes (a provider's errcode, a page), and
django-ratelimit's system check refuses a local-memory cache, which tests and a single-process
development server use (`check --deploy --fail-level WARNING` must stay clean).

A cache that cannot be reached (Redis down) does not turn a login or a push into a server
error: the hit is not counted, a warning is logged, and the request goes on (the lockout, in
the database, still holds for logins).
"""
import hashlib
import logging
import math
import time

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
PREFIX = "rate"
# What a cache that cannot be reached raises (Redis: its errors; sockets: OSError).
CACHE_UNAVAILABLE = (RedisError, OSError)


def _key(scope: str, identifier: str, window: int) -> str:
    digest = hashlib.sha256(identifier.encode("utf-8", "replace")).hexdigest()[:32]
    return f"{PREFIX}:{scope}:{digest}:{window}"


def over_limit(scope: str, identifier: str, *, limit: int, period: int = 60) -> int | None:
    """Count one hit; None if within `limit` per `period` seconds, else the seconds to wait."""
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // period)
    key = _key(scope, identifier, window)
    try:
        cache.add(key, 0, timeout=period + 1)
        try:
            hits = cache.incr(key)
        except ValueError:  # expired between add and incr: this hit starts the window
            cache.add(key, 1, timeout=period + 1)
            hits = 1
    except CACHE_UNAVAILABLE:  # an unreachable cache must not become a 500
        logger.warning("rate limit %s not counted: the cache is unavailable", scope,
                       exc_info=True)
        return None
    if hits <= limit:
        return None
    return max(1, math.ceil((window + 1) * period - now))
