"""The README's first command: `bin/demo` runs `python -m opinion_ops.devstack`; `bin/manage`
runs commands against it from a second shell.

The launcher runs here with this interpreter (bin/demo only adds the virtualenv), on a fresh
var directory and a free port, with no DATABASE_URL or REDIS_URL: SQLite and the embedded
Redis-protocol server, as on a newcomer's machine. With OPINIONOPS_DEMO_VENV set (.ci/demo-smoke:
a fresh clone and a virtualenv built from requirements.txt alone), `bin/demo` itself runs with
that virtualenv instead, so a missing runtime dependency fails here; pytest only watches.

Every process the launcher starts inherits a marker in its environment, so "nothing left
behind" is checked over all processes, whatever their session; valkey-server overwrites its
environment with its process title, so it is recognised by its working directory, the var
directory's valkey/ folder.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = pytest.mark.integration

BASE_DIR = Path(__file__).resolve().parent.parent
MARKER = "OPINIONOPS_DEMO_TEST_MARKER"
DEMO_VENV = os.environ.get("OPINIONOPS_DEMO_VENV")


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


class Demo(NamedTuple):
    launcher: subprocess.Popen
    base_url: str
    log: Path
    var_dir: Path
    processes: Callable[[], list[int]]

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def launcher_command(env: dict) -> list[str]:
    if DEMO_VENV:
        env["OPINIONOPS_VENV"] = DEMO_VENV
        return [str(BASE_DIR / "bin" / "demo")]  # it execs the launcher: same pid
    return [sys.executable, "-m", "opinion_ops.devstack"]


@pytest.fixture
def demo(tmp_path):
    """Start the launcher on a fresh var directory and a free port."""
    token = uuid.uuid4().hex
    var_dir = tmp_path / "var"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({MARKER: token, "PORT": str(port), "OPINIONOPS_VAR_DIR": str(var_dir),
                "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "devstack.log"
    with open(log, "wb") as output:
        launcher = subprocess.Popen(launcher_command(env), cwd=BASE_DIR, env=env,
                                    stdin=subprocess.DEVNULL, stdout=output,
                                    stderr=subprocess.STDOUT)
    try:
        yield Demo(launcher, f"http://127.0.0.1:{port}", log, var_dir,
                   lambda: marked_pids(token, var_dir))
    finally:
        # Only if the test failed: end what this launcher started, by pid.
        for pid in marked_pids(token, var_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if launcher.poll() is None:
            launcher.wait()


def wait_until_up(demo: Demo) -> None:
    """The login page answers, the worker is ready, beat started and the logins were printed."""
    launcher, log = demo.launcher, demo.log
    poll(lambda: http_status(f"{demo.base_url}/accounts/login/") == 200, 120,
         "GET /accounts/login/ returns 200", launcher, log)
    poll(lambda: " ready." in demo.output(), 60, "the worker is ready", launcher, log)
    poll(lambda: "beat: Starting" in demo.output(), 60, "beat started", launcher, log)
    poll(lambda: "Login page:" in demo.output(), 30, "the launcher printed where to log in",
         launcher, log)


def stop(demo: Demo, signum=signal.SIGTERM) -> int:
    demo.launcher.send_signal(signum)
    try:
        return demo.launcher.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the launcher did not exit after {signum!r}\n{demo.output()}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_demo_serves_login_and_api_schema_then_stops_every_process(demo, signum):
    base_url, log, processes = demo.base_url, demo.log, demo.processes

    wait_until_up(demo)
    # The schema and the docs answer, and only to people who have logged in (issue 15).
    assert http_status(f"{base_url}/api/schema/") in (401, 403)
    assert http_status(f"{base_url}/api/docs/") in (401, 403)
    logins = demo.output().split("Demo logins (from seed_demo):")[-1].split("Press Ctrl-C")[0]
    assert len(logins.strip().splitlines()) >= 3, demo.output()  # one line per role
    assert (demo.var_dir / "demo.env").is_file()
    started = processes()
    # launcher, redis keeper, valkey-server, web, worker, beat (and honcho's helpers).
    assert len(started) >= 6, started
    assert any(b"valkey" in Path(f"/proc/{pid}/comm").read_bytes() for pid in started)

    returncode = stop(demo, signum)
    assert returncode in (0, 130, 143), demo.output()
    poll(lambda: not processes(), 10, "no process is left behind", log=log)
    assert "embedded Redis server stopped" in demo.output()
    assert not (demo.var_dir / "demo.env").exists()  # bin/manage no longer points at it


def second_shell(demo: Demo, tmp_path: Path) -> dict:
    """Another terminal in the same checkout: it knows the var directory, nothing else. Its own
    DATABASE_URL, REDIS_URL and virtualenv point elsewhere, so using them would show."""
    env = {k: v for k, v in os.environ.items() if k != MARKER}
    env.update({"OPINIONOPS_VAR_DIR": str(demo.var_dir),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'not-the-demo.sqlite3'}",
                "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
                "OPINIONOPS_VENV": str(tmp_path / "no-such-venv")})
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BASE_DIR / "bin" / "manage"), *args], env=env, cwd=BASE_DIR,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          check=False)


def test_bin_manage_in_a_second_shell_uses_the_running_demos_database_and_redis(demo, tmp_path):
    wait_until_up(demo)
    env = second_shell(demo, tmp_path)

    added = manage(env, "seed_demo", "--urgent")
    assert added.returncode == 0, added.stdout + added.stderr
    assert "using the running demo's database and Redis" in added.stderr
    number = int(re.search(r"Added urgent incident #(\d+)", added.stdout).group(1))
    created = manage(env, "drf_create_token", "office")
    assert created.returncode == 0, created.stdout + created.stderr
    token = re.search(r"Generated token (\w+)", created.stdout).group(1)
    # The demo's web knows the token and the new incident: both went to the demo's database.
    request = urllib.request.Request(f"{demo.base_url}/api/v1/incidents/{number}/",
                                     headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        incident = json.load(response)
    assert (incident["id"], incident["urgent"], incident["state"]) == (number, True, "detected")
    assert not (tmp_path / "not-the-demo.sqlite3").exists()
    # Tasks queued by such a command (the new deadlines' ETA tasks) go to the demo's broker.
    broker = manage(env, "shell", "-c",
                    "from django.conf import settings; print(settings.CELERY_BROKER_URL)")
    assert broker.returncode == 0, broker.stdout + broker.stderr
    embedded = re.search(r"embedded Redis-protocol server at (\S+)", demo.output()).group(1)
    assert embedded in broker.stdout.split()

    assert stop(demo) in (0, 130, 143), demo.output()
    poll(lambda: not demo.processes(), 10, "no process is left behind", log=demo.log)


def test_bin_manage_ignores_the_file_of_a_demo_that_is_gone(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (var_dir / "demo.env").write_text(
        f"DEMO_PID={gone.stdout.strip()}\nDEMO_PYTHON=/nonexistent/python\n"
        "REDIS_URL=redis://127.0.0.1:1/0\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"OPINIONOPS_VAR_DIR": str(var_dir), "REDIS_URL": "redis://127.0.0.1:6399/3",
                "OPINIONOPS_VENV": DEMO_VENV or str(Path(sys.executable).parent.parent)})
    shown = manage(env, "shell", "-c",
                   "from django.conf import settings; print(settings.REDIS_URL)")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "is stale" in shown.stderr
    assert "redis://127.0.0.1:6399/3" in shown.stdout
