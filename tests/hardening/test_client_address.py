"""The client's address behind the reverse proxy (issue 15, "Logins and tokens"): with
TRUSTED_PROXY_COUNT=N the N-th X-Forwarded-For entry from the right, never one the client
wrote; with 0, REMOTE_ADDR alone. The lockout (django-axes) counts by it."""
import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from accounts.client_address import client_address

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PROXY = "192.168.10.2"  # the HTTPS proxy: every request's REMOTE_ADDR
RIGHT = "duty-Lantern-47-Orchid"


@pytest.fixture
def duty(org):
    org.duty.user.set_password(RIGHT)
    org.duty.user.save()
    return org.duty.user


def request(forwarded=None, remote=PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def via_proxy(forwarded):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_the_nth_address_from_the_right_with_n_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request("10.0.0.7")) == "10.0.0.7"
    assert client_address(request("6.6.6.6, 10.0.0.7")) == "10.0.0.7"  # forged left part
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request("6.6.6.6, 10.0.0.7, 172.16.0.1")) == "10.0.0.7"
    assert client_address(request("172.16.0.1")) == PROXY  # not through both proxies
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request()) == PROXY  # no header: the peer
    assert client_address(request("not-an-address")) == PROXY
    assert client_address(request("2001:db8::1")) == "2001:db8::1"


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("10.0.0.7")) == PROXY
    assert client_address(request("10.0.0.7", remote="10.0.0.8")) == "10.0.0.8"


def test_the_lockout_reads_the_address_from_client_address():
    from axes.helpers import get_client_ip_address
    with_proxy = request("6.6.6.6, 10.0.0.7")
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "accounts.client_address.client_address"
    assert get_client_ip_address(with_proxy) == client_address(with_proxy)


def fail_from(client, times):
    for n in range(times):
        client.post(LOGIN, {"username": f"someone{n}", "password": "wrong"})


def test_two_clients_behind_one_proxy_are_locked_out_apart(duty, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_from(via_proxy("10.0.0.1"), django_settings.AXES_FAILURE_LIMIT)
    assert via_proxy("10.0.0.1").post(
        LOGIN, {"username": "duty", "password": RIGHT}).status_code == 429
    # The office next door, through the same proxy, is not locked out by its neighbour.
    assert via_proxy("10.0.0.2").post(
        LOGIN, {"username": "duty", "password": RIGHT}).status_code == 302


def test_a_forged_left_most_entry_does_not_escape_the_lockout(duty, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_from(via_proxy("10.0.0.1"), django_settings.AXES_FAILURE_LIMIT)
    # The client writes X-Forwarded-For: 10.0.0.2; the proxy appends the real peer.
    forged = via_proxy("10.0.0.2, 10.0.0.1")
    assert forged.post(LOGIN, {"username": "duty", "password": RIGHT}).status_code == 429


def test_with_no_trusted_proxy_a_forwarded_header_does_not_escape_the_lockout(duty, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail_from(Client(REMOTE_ADDR="10.0.0.1"), django_settings.AXES_FAILURE_LIMIT)
    forged = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert forged.post(LOGIN, {"username": "duty", "password": RIGHT}).status_code == 429
