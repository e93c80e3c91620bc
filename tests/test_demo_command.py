"""The README's first command: `bin/demo` runs `python -m opinion_ops.devstack`.

The launcher runs here with this interpreter (bin/demo only adds the virtualenv), on a fresh
var directory and a free port, with no DATABASE_URL or REDIS_URL: SQLite and the embedded
Redis-protocol server, as on a newcomer's machine. Every process it starts inherits a marker in
its environment, so "nothing left behind" is checked over all processes, whatever their session;
valkey-server overwrites its environment with its process title, so it is recognised by its
working directory, the var directory's valkey/ folder.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

BASE_DIR = Path(__file__).resolve().parent.parent
MARKER = "OPINIONOPS_DEMO_TEST_MARKER"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def marked_pids(token: str, var_dir: Path) -> list[int]:
    """Live processes with MARKER=token in their environment or working under var_dir."""
    needle = f"{MARKER}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ours = (needle in (entry / "environ").read_bytes().split(b"\0")
                    or Path(os.readlink(entry / "cwd")).is_relative_to(var_dir))
            if ours:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def poll(predicate, timeout: float, what: str, launcher=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if launcher is not None and launcher.poll() is not None:
            pytest.fail(f"the launcher exited ({launcher.returncode}) while waiting for {what}"
                        f"\n{log.read_text(errors='replace') if log else ''}")
        if time.monotonic() >= deadline:
            pytest.fail(f"{what}: not true after {timeout:g} s"
                        f"\n{log.read_text(errors='replace') if log else ''}")
        time.sleep(0.25)
    return value


@pytest.fixture
def demo(tmp_path):
    """Start the launcher; yields (process, base_url, log path, its processes now)."""
    token = uuid.uuid4().hex
    var_dir = tmp_path / "var"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({MARKER: token, "PORT": str(port), "OPINIONOPS_VAR_DIR": str(var_dir),
                "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "devstack.log"
    with open(log, "wb") as output:
        launcher = subprocess.Popen([sys.executable, "-m", "opinion_ops.devstack"],
                                    cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL,
                                    stdout=output, stderr=subprocess.STDOUT)
    try:
        yield launcher, f"http://127.0.0.1:{port}", log, lambda: marked_pids(token, var_dir)
    finally:
        # Only if the test failed: end what this launcher started, by pid.
        for pid in marked_pids(token, var_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if launcher.poll() is None:
            launcher.wait()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_demo_serves_login_and_api_schema_then_stops_every_process(demo, signum):
    launcher, base_url, log, processes = demo

    poll(lambda: http_status(f"{base_url}/accounts/login/") == 200, 120,
         "GET /accounts/login/ returns 200", launcher, log)
    # The schema is public (drf-spectacular's SERVE_PERMISSIONS default, AllowAny).
    assert http_status(f"{base_url}/api/schema/") == 200
    with urllib.request.urlopen(f"{base_url}/api/schema/", timeout=10) as response:
        assert b"openapi" in response.read()
    assert http_status(f"{base_url}/api/docs/") == 200
    poll(lambda: " ready." in log.read_text(errors="replace"), 60, "the worker is ready",
         launcher, log)
    poll(lambda: "beat: Starting" in log.read_text(errors="replace"), 60, "beat started",
         launcher, log)
    poll(lambda: "Login page:" in log.read_text(errors="replace"), 30,
         "the launcher printed where to log in", launcher, log)
    started = processes()
    # launcher, redis keeper, valkey-server, web, worker, beat (and honcho's helpers).
    assert len(started) >= 6, started
    assert any(b"valkey" in Path(f"/proc/{pid}/comm").read_bytes() for pid in started)

    launcher.send_signal(signum)
    try:
        returncode = launcher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the launcher did not exit after {signum!r}\n{log.read_text()}")
    assert returncode in (0, 130, 143), log.read_text(errors="replace")
    poll(lambda: not processes(), 10, "no process is left behind", log=log)
    assert "embedded Redis server stopped" in log.read_text(errors="replace")
