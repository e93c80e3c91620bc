"""The client's address, as the login lockout (django-axes), the rate limits and the push log
see it.

Behind TRUSTED_PROXY_COUNT reverse proxies (README "Deployment": one, the HTTPS proxy) every
request's REMOTE_ADDR is the nearest proxy's; each proxy appends the peer it received the
request from to X-Forwarded-For, so the client is the N-th address from the right. Anything to
the left of it was written by the client and may be forged: it is never read. With 0 (the
default: gunicorn reached directly) X-Forwarded-For is ignored altogether. A header shorter
than the proxy count (a request that did not come through every proxy) falls back to
REMOTE_ADDR, as does an entry that is not an IP address.
"""
import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in
                 request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
