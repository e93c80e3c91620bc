"""SSRF: a channel never reaches this machine, its network or a metadata service unless the
operator allowed the address (NOTIFICATION_ALLOWED_PRIVATE_HOSTS), and a redirect is never
followed to one."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.channels import addresses, http
from notifications.channels.base import TransportError
from notifications.channels.registry import build_channel
from notifications.management.commands.send_test_message import test_message as make_message


class Server:
    """A local HTTP server that counts what reaches it; `redirect_to` answers 302 there."""

    def __init__(self, host: str, redirect_to: str | None = None):
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                server.hits += 1
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "*")
    running = Server("127.0.0.1")
    yield running
    running.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://10.0.0.1/hook",
                                 "http://169.254.169.254/latest/meta-data/",
                                 "http://localhost:9/hook", "http://[::1]:9/hook",
                                 "http://[::ffff:127.0.0.1]:9/hook", "http://0.0.0.0:9/",
                                 "http://192.168.1.1/", "http://100.64.0.1/"])
def test_internal_addresses_are_refused_before_any_connection(settings, url):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(TransportError) as refused:
        http.request("POST", url, timeout=1, data=b"{}")
    assert refused.value.permanent and "Refused" in str(refused.value)


def test_a_webhook_channel_at_the_loopback_sends_nothing(settings, server):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    channel = build_channel("webhook", {"url": server.url, "secret": "s" * 32})
    with pytest.raises(TransportError) as refused:
        channel.send(make_message(), None, "ssrf-test-1")
    assert refused.value.permanent and "NOTIFICATION_ALLOWED_PRIVATE_HOSTS" in str(refused.value)
    assert server.hits == 0


@pytest.mark.parametrize("allowed", [["127.0.0.1"], ["127.0.0.0/8"]])
def test_an_allowed_internal_address_is_reached(settings, server, allowed):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = allowed
    response = http.request("POST", server.url, timeout=5, data=b"{}")
    assert response.status_code == 200 and server.hits == 1


def test_a_redirect_to_the_loopback_is_not_followed(settings, server, monkeypatch):
    target = Server("127.0.0.2")
    redirecting = Server("127.0.0.1", redirect_to=target.url)
    try:
        settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]  # not 127.0.0.2
        response = http.request("POST", redirecting.url, timeout=5, data=b"{}")
        with pytest.raises(TransportError) as failed:
            http.raise_for_status(response)
        assert failed.value.permanent and redirecting.hits == 1 and target.hits == 0
    finally:
        target.close()
        redirecting.close()


def test_a_name_resolving_to_a_public_and_a_private_address_is_refused(settings, monkeypatch):
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    import ipaddress
    monkeypatch.setattr(addresses, "resolve", lambda host, port: [
        ipaddress.ip_address("8.8.8.8"), ipaddress.ip_address("127.0.0.1")])
    assert "internal address" in addresses.refusal("https://gateway.example.com/send")


def test_the_test_message_action_shows_a_redacted_length_limited_answer(settings, server,
                                                                        monkeypatch):
    from notifications import admin as channel_admin
    from notifications.channels.base import SendResult

    class Channel:
        def send(self, message, recipient, key):
            return SendResult(response="token=abcdefgh0123456789 " + "x" * 5000)

    monkeypatch.setattr(channel_admin, "build_channel", lambda kind, config: Channel())

    class Source:
        kind, effective_config, pk = "webhook", {}, 1
        _meta = type("Meta", (), {"model_name": "channelconfig"})

    shown = channel_admin.send_test(Source(), None)
    assert len(shown) <= channel_admin.TEST_ANSWER_CHARS + 1
    assert "abcdefgh0123456789" not in shown


INTERNAL_URLS = ["http://127.0.0.1:9/hook", "http://10.0.0.1/hook",
                 "http://169.254.169.254/latest/meta-data/", "http://localhost:9/hook",
                 "http://hooks.intranet.example/hook"]


@pytest.fixture
def intranet_name(monkeypatch):
    """hooks.intranet.example resolves to the loopback (as a hostile DNS answer would)."""
    import ipaddress
    real = addresses.resolve
    monkeypatch.setattr(addresses, "resolve", lambda host, port: (
        [ipaddress.ip_address("127.0.0.1")] if host == "hooks.intranet.example"
        else real(host, port)))


@pytest.mark.django_db
@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_a_channel_at_an_internal_address_is_refused_when_saved(settings, intranet_name, url):
    from django.core.exceptions import ValidationError

    from notifications.models import ChannelConfig
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(ValidationError) as refused:
        ChannelConfig(name="内网钩子", kind="webhook",
                      config={"url": url, "secret": "s" * 32}).save()
    assert "NOTIFICATION_ALLOWED_PRIVATE_HOSTS" in str(refused.value.message_dict["config"])
    assert not ChannelConfig.objects.exists()


@pytest.mark.django_db
def test_a_robot_whose_base_url_points_inside_is_refused_when_saved(settings):
    """Setting base_url moves the robots' host check; the address check still applies."""
    from django.core.exceptions import ValidationError

    from notifications.models import ChannelConfig
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    with pytest.raises(ValidationError):
        ChannelConfig(name="钉钉", kind="dingtalk", config={
            "base_url": "http://169.254.169.254/robot/send",
            "url": "http://169.254.169.254/robot/send?access_token=abc"}).save()


@pytest.mark.django_db
@pytest.mark.parametrize("allowed", [["127.0.0.1"], ["127.0.0.0/8"], ["10.0.0.0/8", "localhost"]])
def test_an_allowed_internal_address_may_be_saved(settings, allowed):
    from notifications.models import ChannelConfig
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = allowed
    url = "http://localhost:9/hook" if "localhost" in allowed else "http://127.0.0.1:9/hook"
    ChannelConfig(name="网关", kind="webhook", config={"url": url, "secret": "s" * 32}).save()
    assert ChannelConfig.objects.get().plain_config["url"] == url


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_yet_may_be_saved_and_is_checked_when_sent(settings):
    from notifications.models import ChannelConfig
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = []
    row = ChannelConfig(name="外部", kind="webhook",
                        config={"url": "https://hooks.invalid/x", "secret": "s" * 32})
    row.save()
    with pytest.raises(TransportError) as refused:
        build_channel("webhook", row.effective_config).send(make_message(), None, "k-1")
    assert refused.value.permanent and "does not resolve" in str(refused.value)


def test_the_test_message_action_shows_the_status_and_a_short_redacted_body(settings, server):
    from notifications import admin as channel_admin
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]

    class Source:
        kind, pk = "webhook", 2
        effective_config = {"url": server.url, "secret": "s" * 32}
        _meta = type("Meta", (), {"model_name": "channelconfig"})

    shown = channel_admin.send_test(Source(), None)
    assert shown.startswith("HTTP 200 · ") and '{"ok": true}' in shown and server.hits == 1
