"""The production server: gunicorn serves the application with DEBUG off, plain HTTP is sent to
HTTPS unless the proxy says the request came over it, static files come from whitenoise; the
systemd units in deploy/ run web, one worker per queue and beat, each restarted always."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read()


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {"PATH": os.environ["PATH"], "DEBUG": "false", "SECRET_KEY": "g" * 60,
           "ALLOWED_HOSTS": "127.0.0.1", "OPINIONOPS_VAR_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "opinion_ops.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2", "--forwarded-allow-ips", "127.0.0.1"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(f"{base}/accounts/login/")
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(process.communicate()[0])
    yield base
    process.terminate()
    process.wait(timeout=30)


def test_gunicorn_serves_the_app_with_secure_defaults_and_static_files(gunicorn):
    status, headers, _ = fetch(f"{gunicorn}/accounts/login/")
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, body = fetch(f"{gunicorn}/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200 and b"csrfmiddlewaretoken" in body
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "Secure" in headers.get("Set-Cookie", "Secure")
    status, headers, body = fetch(f"{gunicorn}/static/admin/css/base.css",
                                  **{"X-Forwarded-Proto": "https"})
    assert status == 200 and b"{" in body
    status, _, body = fetch(f"{gunicorn}/api/schema/", **{"X-Forwarded-Proto": "https"})
    assert status in (401, 403)
    status, _, body = fetch(f"{gunicorn}/no-such-page/", **{"X-Forwarded-Proto": "https"})
    assert status == 404 and b"SECRET_KEY" not in body and b"Traceback" not in body


def unit(name: str) -> str:
    return (DEPLOY / name).read_text()


def test_every_queue_has_its_own_worker_unit_and_every_unit_restarts_always():
    # The queues of CELERY_TASK_ROUTES (the batch sweep's queue layout) and the default one.
    routes = getattr(settings, "CELERY_TASK_ROUTES", {})
    queues = {route["queue"] for route in routes.values()} | {"deadlines", "deliveries",
                                                               "documents"}
    queues.add(getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "deliveries"))
    for queue in queues:
        assert f"-Q {queue} " in unit(f"opinionops-worker-{queue}.service")
    units = sorted(DEPLOY.glob("opinionops-*.service"))
    assert {u.name for u in units} >= {"opinionops-web.service", "opinionops-beat.service"}
    for path in units:
        text = path.read_text()
        assert "Restart=always" in text and "EnvironmentFile=/etc/opinionops/opinionops.env" \
            in text, path.name
        assert path.name in unit("opinionops.target")
    assert "gunicorn opinion_ops.wsgi:application" in unit("opinionops-web.service")


def test_the_environment_file_turns_debug_off_and_names_only_documented_settings():
    readme = (BASE_DIR / "README.md").read_text()
    names = [line.split("=", 1)[0].lstrip("# ") for line in unit("opinionops.env.example")
             .splitlines() if "=" in line and line.lstrip("# ")[:1].isupper()]
    assert "DEBUG" in names and "SECRET_KEY" in names
    undocumented = [name for name in names if f"`{name}`" not in readme]
    assert not undocumented, undocumented
