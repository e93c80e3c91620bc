"""A real HTTP server on 127.0.0.1 for channel tests, plus a message and a pinned clock.

Channels are exercised over real sockets, so the bytes a robot would receive are the bytes
asserted here; nothing in `requests` is mocked.
"""
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from notifications.channels import clock
from notifications.message import Message

# 14:45 in Shanghai, a quarter of an hour after the 14:30 deadline of the sample message.
FROZEN_NOW = datetime(2026, 11, 23, 6, 45, 0, tzinfo=timezone.utc)


@dataclass
class ReceivedRequest:
    method: str
    path: str
    raw_query: str
    headers: dict
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.raw_query, keep_blank_values=True).items()}

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"errcode":0,"errmsg":"ok"}'
    delay: float = 0.0
    content_type: str = "application/json; charset=utf-8"


@dataclass
class LocalServer:
    url: str
    received: list[ReceivedRequest] = field(default_factory=list)
    responder: object = None
    release: threading.Event = field(default_factory=threading.Event)

    def reply(self, status=200, json_body=None, text=None, delay=0.0):
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        else:
            body = (text or "").encode("utf-8")
        self.responder = lambda request: Reply(status, body, delay)

    @property
    def last(self) -> ReceivedRequest:
        assert self.received, "the server received no request"
        return self.received[-1]


def _handler_for(server: LocalServer):
    class Handler(BaseHTTPRequestHandler):
        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = ReceivedRequest(self.command, parts.path, parts.query,
                                      {k.lower(): v for k, v in self.headers.items()},
                                      self.rfile.read(length))
            server.received.append(request)
            reply = server.responder(request) if server.responder else Reply()
            if reply.delay:
                # Waits on an event rather than sleeping so teardown can let it go at once.
                server.release.wait(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = handle_any

        def log_message(self, format, *args):
            pass

    return Handler


@pytest.fixture(autouse=True)
def _local_addresses_allowed(settings):
    """The channel tests' servers (and closed ports) are on 127.0.0.1, an internal address:
    allowed as an operator allows an office's gateway (notifications.channels.addresses)."""
    settings.NOTIFICATION_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def local_server(monkeypatch):
    # A proxy from the environment must not intercept loopback traffic.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    state = LocalServer(url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                              daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def message():
    return Message(
        title="首报逾期",
        incident_id="INC-2026-0042",
        incident_title="某区网民聚集事件",
        deadline_label="首次报告",
        due_at=datetime(2026, 11, 23, 6, 30, tzinfo=timezone.utc),
        overdue_minutes=15,
        clause="C02",
        escalation_level=2,
        action_url="https://ops.example.gov.cn/incidents/42/",
        ack_url="https://ops.example.gov.cn/ack/abc123/",
        body="请立即上报。",
    )


def field_errors(excinfo) -> dict[str, str]:
    """ValidationError.message_dict flattened to one string per field, for assertions."""
    return {name: " ".join(messages) for name, messages in excinfo.value.message_dict.items()}
