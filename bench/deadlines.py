"""Deadline benchmark: sweep query time at 100k/1M pending, and escalation lateness, losses and
duplicates of the row-based engine next to a Celery-ETA-only baseline, in normal running, with
the worker SIGKILLed mid-run, and with a short broker visibility timeout.

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL; defaults: the local servers). It creates
and drops its own database. Prints figures; asserts nothing.

    python bench/deadlines.py [--pending 100000 --pending-big 1000000 --due 1000 --window 30]
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "opinionops_bench")
BROKER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RECORD_URL = os.environ.get("BENCH_RECORD_URL", "redis://127.0.0.1:6379/13")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME

os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": BROKER_URL,
                   "BENCH_RECORD_URL": RECORD_URL, "DJANGO_SETTINGS_MODULE": "opinion_ops.settings",
                   "OPINIONOPS_VAR_DIR": os.environ.get("OPINIONOPS_VAR_DIR", "/tmp/opinionops-bench")})


def recreate_database():
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


recreate_database()
import django  # noqa: E402

django.setup()
import redis  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

call_command("migrate", verbosity=0)

from incidents import deadlines  # noqa: E402
from incidents.models import Deadline, Event, Incident, TimelineEntry
from plans.models import DeadlineKind, ResponsePlan
from organisation.models import Unit
from organisation.models import Person


def seed_incident() -> Incident:
    office = Unit.objects.create(name="基准测试舆情办", kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name="基准测试领导小组", kind=Unit.Kind.LEADERSHIP)
    from django.contrib.auth.models import User

    leader = Person.objects.create(user=User.objects.create(username="bench-leader"),
                                   name="基准组长", unit=leadership)
    plan = ResponsePlan.objects.current().get(family="default")
    return Incident.objects.create(
        title="基准测试事件", summary="benchmark", source_url="https://example.invalid/x",
        platform="bench", discovered_at=timezone.now(), owner_unit=office,
        accountable_leader=leader, plan=plan)


def insert_far_pending(incident: Incident, count: int, start_seq: int) -> None:
    """Pending rows due over the next 30 days (never during the run), inserted by SQL."""
    rule = incident.plan.rule_for(DeadlineKind.FOLLOW_UP)
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO incidents_deadline (incident_id, kind, sequence, rule_id, clause,
                owed_by_unit_id, opened_at, due_at, warn_at, state, fence)
            SELECT %s, 'follow_up', %s + g, %s, 'C05', %s, now(),
                   now() + interval '1 day' + (g * interval '2 seconds'), NULL, 'pending',
                   md5(g::text || clock_timestamp()::text)::uuid
            FROM generate_series(1, %s) AS g""",
                       [incident.pk, start_seq, rule.pk, incident.owner_unit_id, count])
        cursor.execute("ANALYZE incidents_deadline")


def time_sweep_query(runs: int = 50) -> tuple[float, float, str]:
    due = (Deadline.objects.filter(state=Deadline.State.PENDING, due_at__lte=timezone.now())
           .order_by("due_at").values_list("pk", flat=True)[:500])
    sql, params = due.query.sql_with_params()
    samples = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples.append((time.perf_counter() - began) * 1000)
        cursor.execute("EXPLAIN " + sql, params)
        plan = " | ".join(row[0].strip() for row in cursor.fetchall()[:3])
    return statistics.median(samples), max(samples), plan


class Stack:
    """A real Celery worker (prefork, 2 processes) and, optionally, beat."""

    def __init__(self, env_overrides: dict, with_beat: bool, logdir: Path):
        self.env = {**os.environ, **env_overrides}
        self.with_beat, self.logdir = with_beat, logdir
        self.worker = self.beat = None

    def _spawn(self, *args, name):
        log = open(self.logdir / f"{name}.log", "ab")
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "opinion_ops", *args],
                                cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                start_new_session=True)

    def start_worker(self):
        self.worker = self._spawn("worker", "-I", "bench.baseline_tasks", "--concurrency=2",
                                  "--loglevel=WARNING", f"-n bench{time.time_ns()}@%h",
                                  name="worker")

    def start(self):
        self.start_worker()
        if self.with_beat:
            self.beat = self._spawn("beat", "--loglevel=WARNING", "-s",
                                    str(self.logdir / "beat-schedule"), name="beat")

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def stop(self):
        for proc in (self.worker, self.beat):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)


def percentiles(values_ms: list[float]) -> str:
    if not values_ms:
        return "p50 — p99 — max —"
    ordered = sorted(values_ms)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {p(0.50):8.1f} ms  p99 {p(0.99):8.1f} ms  max {ordered[-1]:8.1f} ms"


def run_scenario(name: str, incident: Incident, count: int, window: float, lead: float,
                 env_overrides: dict, kill_at: float | None, logdir: Path) -> dict:
    """Schedule `count` deadlines due between lead and lead+window seconds from now, both as
    engine rows (with their ETA fast path) and as baseline ETA tasks, and watch them fire."""
    broker, record = redis.Redis.from_url(BROKER_URL), redis.Redis.from_url(RECORD_URL)
    broker.flushdb()
    record.flushdb()
    stack = Stack(env_overrides, with_beat=True, logdir=logdir)
    stack.start()
    try:
        return _schedule_and_watch(name, stack, incident, count, window, lead, env_overrides,
                                   kill_at, broker, record)
    finally:
        stack.stop()


def _schedule_and_watch(name, stack, incident, count, window, lead, env_overrides, kill_at,
                        broker, record) -> dict:
    time.sleep(4)  # let the worker connect before ETA tasks are published
    from bench.baseline_tasks import baseline_fire
    from opinion_ops.celery import app

    # The publishing process must use the same visibility timeout the worker uses.
    app.conf.broker_transport_options = {"visibility_timeout": int(
        env_overrides.get("CELERY_VISIBILITY_TIMEOUT", 3600))}
    from django.conf import settings

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = app.conf.broker_transport_options
    now = timezone.now()
    rule = incident.plan.rule_for(DeadlineKind.VERBAL_REPORT)
    base_seq = (Deadline.objects.filter(incident=incident, kind=DeadlineKind.VERBAL_REPORT)
                .aggregate(n=Max("sequence"))["n"] or 0) + 1
    rows = []
    with transaction.atomic():
        for i in range(count):
            due = now + timedelta(seconds=lead + window * i / count)
            row = Deadline.objects.create(
                incident=incident, kind=DeadlineKind.VERBAL_REPORT, sequence=base_seq + i,
                rule=rule, clause="C02", owed_by_unit=incident.owner_unit, opened_at=now,
                due_at=due)
            deadlines._schedule_fast_path(row)
            rows.append(row)
    for row in rows:
        baseline_fire.apply_async((row.pk,), eta=row.due_at)
    ids = [row.pk for row in rows]
    due_by_id = {row.pk: row.due_at.timestamp() for row in rows}
    fault_end = None
    began = time.time()
    end = began + lead + window
    if kill_at is not None:
        time.sleep(max(0.0, lead + kill_at - (time.time() - began)))
        stack.kill_worker()
        time.sleep(3)
        restarted = time.time()
        stack.start_worker()
        fault_end = wait_until_ready(record, restarted)
    time.sleep(max(0.0, end - time.time()) + 8)
    return analyse(name, ids, due_by_id, record, fault_end)


def wait_until_ready(record, since: float, timeout: float = 60.0) -> float:
    """The fault ends when the restarted worker is ready to consume again."""
    give_up = time.time() + timeout
    while time.time() < give_up:
        ready = record.get("bench:worker:ready")
        if ready is not None and float(ready) > since:
            return float(ready)
        time.sleep(0.05)
    raise RuntimeError("restarted worker never became ready")


def analyse(name, ids, due_by_id, record, fault_end) -> dict:
    breaches = TimelineEntry.objects.filter(event=Event.DEADLINE_BREACHED,
                                            data__deadline__in=ids)
    per_row: dict[int, list[float]] = {}
    for entry in breaches.only("recorded_at", "data"):
        per_row.setdefault(entry.data["deadline"], []).append(entry.recorded_at.timestamp())
    engine = summarise(ids, due_by_id, per_row, fault_end)
    fired: dict[int, list[float]] = {}
    for item in record.lrange("bench:baseline:fired", 0, -1):
        deadline_id, at = item.decode().split(":")
        fired.setdefault(int(deadline_id), []).append(float(at))
    baseline = summarise(ids, due_by_id, fired, fault_end)
    print(f"\n== {name}: {len(ids)} deadlines")
    for label, figures in (("engine  ", engine), ("ETA-only", baseline)):
        print(f"  {label} lateness {percentiles(figures['lateness'])}  fired {figures['fired']}"
              f"  lost {figures['lost']}  duplicates {figures['duplicates']}"
              + (f"  max after fault end {figures['after_fault_ms']:.0f} ms"
                 if figures['after_fault_ms'] is not None else ""))
    return {"engine": engine, "baseline": baseline}


def summarise(ids, due_by_id, fired, fault_end) -> dict:
    lateness = [(min(times) - due_by_id[i]) * 1000 for i, times in fired.items() if i in due_by_id]
    after_fault = None
    if fault_end is not None:
        overdue_at_end = [min(t) for i, t in fired.items() if due_by_id.get(i, 1e18) < fault_end]
        # Only firings after the fault count; a row fired before the kill is no evidence.
        after_fault = max(((t - fault_end) * 1000 for t in overdue_at_end if t >= fault_end),
                          default=None)
    return {"lateness": lateness, "fired": len([i for i in ids if i in fired]),
            "lost": len([i for i in ids if i not in fired]),
            "duplicates": sum(len(t) - 1 for t in fired.values()),
            "after_fault_ms": after_fault}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--pending-big", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args()
    logdir = Path(os.environ["OPINIONOPS_VAR_DIR"]) / "bench-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    incident = seed_incident()

    print("== sweep query (pending rows due now, partial index on due_at WHERE pending)")
    insert_far_pending(incident, args.pending, 0)
    median, worst, plan = time_sweep_query()
    print(f"  {args.pending:>9,} pending: median {median:.3f} ms, max {worst:.3f} ms  [{plan}]")
    if args.pending_big > args.pending:
        insert_far_pending(incident, args.pending_big - args.pending, args.pending)
        median, worst, plan = time_sweep_query()
        print(f"  {args.pending_big:>9,} pending: median {median:.3f} ms, max {worst:.3f} ms")

    run_scenario("normal running", incident, args.due, args.window, lead=6.0,
                 env_overrides={}, kill_at=None, logdir=logdir)
    if args.skip_faults:
        return
    run_scenario("worker SIGKILLed mid-run and restarted after 3 s", incident, args.due,
                 args.window, lead=6.0, env_overrides={}, kill_at=args.window / 2, logdir=logdir)
    short = max(200, args.due // 5)
    run_scenario("visibility timeout 10 s, deadlines 15-45 s ahead", incident, short, 30.0,
                 lead=15.0, env_overrides={"CELERY_VISIBILITY_TIMEOUT": "10"}, kill_at=None,
                 logdir=logdir)


if __name__ == "__main__":
    main()
