"""Rate limits on the login forms (the site's and the admin's): over LOGIN_RATE_LIMIT POSTs a
minute for one user name, or LOGIN_ADDRESS_RATE_LIMIT from one client address
(accounts.client_address), a 429 page with Retry-After, before the password is checked. The
lockout (django-axes) counts failures; this counts attempts, so guessing fast is refused
before it reaches the lockout's counters or the password hasher."""
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from opinion_ops.rate_limits import over_limit

from .client_address import client_address


def _login_paths() -> set[str]:
    return {reverse("login"), reverse("admin:login")}


def login_rate_limited(request):
    """The 429 answer when this login POST is over a limit, else None."""
    username = (request.POST.get("username") or "").strip().lower()
    waits = [over_limit("login-address", client_address(request),
                        limit=settings.LOGIN_ADDRESS_RATE_LIMIT)]
    if username:
        waits.append(over_limit("login-username", username, limit=settings.LOGIN_RATE_LIMIT))
    wait = max((w for w in waits if w is not None), default=None)
    if wait is None:
        return None
    response = render(request, "registration/rate_limited.html", {"retry_after": wait},
                      status=429)
    response["Retry-After"] = str(wait)
    return response


class LoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info in _login_paths():
            refused = login_rate_limited(request)
            if refused is not None:
                return refused
        return self.get_response(request)
