"""Servers a fault test owns: a PostgreSQL cluster, a Redis server and a webhook receiver.

Each runs on a free port of its own, so a test may stop, restart or kill it without touching
the shared services on 5432 and 6379 (nor another engineer's or CI's tests). PostgreSQL comes
from the Debian packages' binaries (/usr/lib/postgresql/<version>/bin, or `initdb` on PATH);
as root it runs as the `postgres` user, since initdb refuses root.
"""
import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis

from tests.integration.conftest import free_port

START_TIMEOUT = 60.0


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if found:
        return found[0]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return path


class PrivatePostgres:
    """A throwaway cluster on 127.0.0.1:<free port>, trust authentication, in a directory of
    its own under the system's temporary directory (the postgres user must reach it, which
    pytest's private tmp_path does not allow); `close()` removes it.

    fsync is off (the cluster lives for one session and a restart is a clean shutdown or a
    crash of the server, never of the machine); everything else is PostgreSQL's default.
    """

    def __init__(self):
        directory = Path(tempfile.mkdtemp(prefix="opinionops-faults-pg-"))
        directory.chmod(0o755)
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory / "socket"
        self.log_path = directory / "postgres.log"
        self.port = free_port()
        self.user = "postgres"
        self._as_other = os.geteuid() == 0
        directory.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if self._as_other:
            account = pwd.getpwnam("postgres")
            for path in (directory, self.socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(argv)
        if self._as_other:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, check=False, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=START_TIMEOUT)
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}: "
                               f"{done.stderr or done.stdout}")
        return done

    def init(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")

    def _options(self) -> str:
        return (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                f"-c fsync=off -c full_page_writes=off -c max_connections=100")

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w",
                  "-t", str(int(START_TIMEOUT)), "-o", self._options(), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def is_running(self) -> bool:
        return self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "status",
                         check=False).returncode == 0

    def url(self, name: str = "postgres") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{name}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(_pg_bin("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                         "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                         "-d", database, "-c", sql).stdout

    def close(self) -> None:
        if self.data.exists():
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateRedis:
    """`redis-server --port <free> --save '' --appendonly no`: a restart loses everything
    queued in it, as a broker that dies without persistence does."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = directory / "redis.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.popen = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--logfile",
             str(self.log_path)], stdin=subprocess.DEVNULL, start_new_session=True)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGKILL: the broker is gone with whatever it held; clients get connection refused."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()

    def is_running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    close = stop


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 recording what it accepted, by Idempotency-Key.

    While `hang_until` (monotonic) is in the future every request hangs for `hang_seconds`
    (longer than the channel's timeout) and is NOT counted as delivered: the sender gave up on
    it. Accepted requests are counted per key; a key accepted twice is a duplicate delivery.
    """
    url: str = ""
    accepted: dict = field(default_factory=dict)   # idempotency key -> [monotonic times]
    hung: int = 0
    hang_until: float = 0.0
    hang_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)

    def delivered_keys(self) -> set:
        with self.lock:
            return set(self.accepted)

    def duplicates(self) -> int:
        with self.lock:
            return sum(len(times) - 1 for times in self.accepted.values())


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            key = self.headers.get("Idempotency-Key") or json.loads(body or b"{}").get(
                "idempotency_key", "")
            if time.monotonic() < state.hang_until:
                with state.lock:
                    state.hung += 1
                state.release.wait(state.hang_seconds)
            else:
                with state.lock:
                    state.accepted.setdefault(key, []).append(time.monotonic())
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return state, httpd
