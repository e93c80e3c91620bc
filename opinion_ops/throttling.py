"""Rate limits of the API (DRF throttling): over the limit, 429 with Retry-After and a message
saying when to try again. The rates are read from the settings on each request (not frozen at
import as DRF's own classes do), so a deployment or a test changes them in one place. They are
counted in the default cache. The API answers 401 before any throttle, so only
authenticated requests are counted."""
import logging

from django.conf import settings
from rest_framework.throttling import UserRateThrottle

from accounts.client_address import client_address
from opinion_ops.rate_limits import CACHE_UNAVAILABLE

logger = logging.getLogger(__name__)


class _FromSettings:
    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting) or None  # empty: no limit

    def allow_request(self, request, view):
        """A cache that cannot be reached (Redis down) lets the request through, logged,
        rather than answering 500 (as opinion_ops.rate_limits does)."""
        try:
            return super().allow_request(request, view)
        except CACHE_UNAVAILABLE:
            logger.warning("API rate limit not counted: the cache is unavailable",
                           exc_info=True)
            return True

    def get_ident(self, request):
        """An anonymous request's address: behind the trusted proxies, not a forged header."""
        return client_address(request)


class ApiUserRateThrottle(_FromSettings, UserRateThrottle):
    """Per user (a person's session or a token's owner)."""

    setting = "API_RATE_LIMIT"
