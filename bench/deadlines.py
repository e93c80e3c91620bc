"""Deadline benchmark: sweep query time at 100k/1M pending, and escalation lateness, losses and
duplicates of the row-based engine next to a Celery-ETA-only baseline, in normal running, with
the workers SIGKILLed mid-run, and with a short broker visibility timeout; or (`--burst N`) N
deadlines falling due in one second, each to be breached and escalated once.

The engine runs as the Procfile runs it: a worker on the `deadlines` queue (prefork, two
processes), one on `deliveries` (solo), and beat. The ETA-only baseline runs on a worker of
its own (queue `baseline`), so the two never share a queue.

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL; defaults: the local servers). It creates
and drops its own database. Prints figures; asserts nothing.

    python bench/deadlines.py [--pending 100000 --pending-big 1000000 --due 1000 --window 30]
    python bench/deadlines.py --burst 10000
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import database  # noqa: E402  (the path above makes the package importable)

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "opinionops_bench")
BROKER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
RECORD_URL = os.environ.get("BENCH_RECORD_URL", "redis://127.0.0.1:6379/13")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME

# A throwaway signing key for the run (settings refuse to start without one when DEBUG is off).
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())

os.environ.update({"DATABASE_URL": DATABASE_URL, "REDIS_URL": BROKER_URL,
                   "BENCH_RECORD_URL": RECORD_URL, "DJANGO_SETTINGS_MODULE": "opinion_ops.settings",
                   "OPINIONOPS_VAR_DIR": os.environ.get("OPINIONOPS_VAR_DIR", "/tmp/opinionops-bench")})


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--pending-big", type=int, default=1_000_000)
    # The figures: 50 deadlines/s sustained for 60 s, with 1,000,000 pending.
    parser.add_argument("--due", type=int, default=3000)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--lead", type=float, default=None,
                        help="seconds from seeding to the first due time (default: 10 s + "
                             "30 ms per deadline, for publishing their ETA tasks)")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--burst", type=int, metavar="N",
                        help="only the burst: N deadlines falling due in one second")
    parser.add_argument("--burst-lead", type=float, default=60.0,
                        help="seconds between inserting the burst and its first due time")
    parser.add_argument("--burst-timeout", type=float, default=180.0,
                        help="seconds after the burst before a row counts as lost")
    parser.add_argument("--burst-only-eta", action="store_true",
                        help="skip the sweep-alone run of the burst")
    parser.add_argument("--burst-eta-per-row", action="store_true",
                        help="also a run with one engine ETA task per row (the worst case)")
    parser.add_argument("--burst-only-sweep", action="store_true",
                        help="skip the run of the burst with ETA tasks")
    parser.add_argument("--burst-baseline-beside", action="store_true",
                        help="run the ETA-only baseline's burst at the same time as the engine's "
                             "(default: apart, after the engine's runs)")
    parser.add_argument("--without-deliveries", action="store_true",
                        help="no deliveries worker (planning waits in its queue)")
    parser.add_argument("--engine-pool", choices=("solo", "prefork"), default="prefork",
                        help="the deadlines worker's pool: prefork x2 as the Procfile, or solo")
    return parser.parse_args()


# Arguments first: `--help` or a mistyped option must not drop and recreate the database.
ARGS = parse_arguments()


def recreate_database():
    database.recreate(ADMIN_URL, DB_NAME)


recreate_database()
import django  # noqa: E402

django.setup()
import redis  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

call_command("migrate", verbosity=0)

from incidents import deadlines  # noqa: E402
from incidents.models import Deadline, Escalation, Event, Incident, TimelineEntry  # noqa: E402
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


LOGLEVEL = os.environ.get("BENCH_LOGLEVEL", "WARNING")  # INFO logs every task
ENGINE_QUEUES = {"engine": "deadlines", "deliveries": "deliveries", "baseline": "baseline"}


class Stack:
    """Real Celery workers, one per queue as the Procfile runs them (the engine's `deadlines`
    worker, its `deliveries` worker, and the baseline's own), and optionally beat."""

    def __init__(self, env_overrides: dict, with_beat: bool, logdir: Path,
                 engine_pool: str = "prefork"):
        self.env = {**os.environ, **env_overrides}
        self.with_beat, self.logdir, self.engine_pool = with_beat, logdir, engine_pool
        self.workers: dict[str, subprocess.Popen] = {}
        self.beat = None

    def _spawn(self, *args, name):
        log = open(self.logdir / f"{name}.log", "ab")
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "opinion_ops", *args],
                                cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                start_new_session=True)

    def start_worker(self, role: str):
        pool = ["--pool=solo"] if role != "engine" or self.engine_pool == "solo" else [
            "--pool=prefork", "--concurrency=2"]
        self.workers[role] = self._spawn(
            "worker", "-I", "bench.baseline_tasks", "-Q", ENGINE_QUEUES[role], *pool,
            f"--loglevel={LOGLEVEL}", f"--hostname=bench-{role}-{time.time_ns()}@%h",
            "--without-gossip", "--without-mingle", name=f"worker-{role}")

    def start(self, roles=tuple(ENGINE_QUEUES)):
        for role in roles:
            self.start_worker(role)
        if self.with_beat:
            self.beat = self._spawn("beat", f"--loglevel={LOGLEVEL}", "-s",
                                    str(self.logdir / "beat-schedule"), name="beat")

    def kill_workers(self, roles=("engine", "baseline")):
        for role in roles:
            os.killpg(self.workers[role].pid, signal.SIGKILL)
            self.workers[role].wait()

    def stop(self):
        for proc in (*self.workers.values(), self.beat):
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
    wait_until_ready(record, 0.0, roles=ENGINE_QUEUES)  # before ETA tasks are published
    from bench.baseline_tasks import baseline_fire
    from opinion_ops.celery import app

    # The publishing process must use the same visibility timeout the worker uses.
    app.conf.broker_transport_options = {"visibility_timeout": int(
        env_overrides.get("CELERY_VISIBILITY_TIMEOUT", 3600))}
    from django.conf import settings

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = app.conf.broker_transport_options
    # One incident per deadline, as deadlines fall due in practice (a breach locks its own
    # incident's chain head, so 3,000 breaches of one incident would queue on one lock); the
    # rows in one insert, each with its engine ETA task as schedule_fast_path queues it for a
    # row opened within the horizon, and the baseline's ETA task on its own queue, all
    # published before the first falls due (row by row, 3,000 creates outran a 6 s lead).
    owners = burst_incidents(incident.owner_unit, incident.accountable_leader, count)
    now = timezone.now()
    rows = burst_rows(owners, now + timedelta(seconds=lead), window)
    published = time.perf_counter()
    publish_eta_tasks(rows, engine=True, baseline=True)
    late = timezone.now() - rows[0].due_at
    print(f"  published {2 * count:,} ETA tasks in {time.perf_counter() - published:.1f} s"
          + (f" (warning: {late.total_seconds():.1f} s past the first due time)"
             if late.total_seconds() > 0 else ""))
    ids = [row.pk for row in rows]
    due_by_id = {row.pk: row.due_at.timestamp() for row in rows}
    fault_end = None
    began = now.timestamp()
    end = began + lead + window
    if kill_at is not None:
        time.sleep(max(0.0, lead + kill_at - (time.time() - began)))
        stack.kill_workers()  # the engine's deadlines worker and the baseline's, together
        time.sleep(3)
        restarted = time.time()
        stack.start_worker("engine")
        stack.start_worker("baseline")
        fault_end = wait_until_ready(record, restarted, roles=("engine", "baseline"))
    time.sleep(max(0.0, end - time.time()) + 8)
    return analyse(name, ids, due_by_id, record, fault_end)


def wait_until_ready(record, since: float, roles=("engine",), timeout: float = 60.0) -> float:
    """When every worker of `roles` started after `since` is ready to consume."""
    give_up = time.time() + timeout
    while time.time() < give_up:
        ready = [record.get(f"bench:worker:ready:{role}") for role in roles]
        if all(r is not None and float(r) > since for r in ready):
            return max(float(r) for r in ready)
        time.sleep(0.05)
    raise RuntimeError(f"workers {roles} never became ready")


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
    trace = record.lrange("bench:engine:started", 0, -1)
    if trace:  # BENCH_TRACE=1: when each engine ETA task started, against its due time
        started: dict[int, float] = {}
        for item in trace:
            deadline_id, at = item.decode().split(":")
            started.setdefault(int(deadline_id), float(at))
        waits = [(at - due_by_id[i]) * 1000 for i, at in started.items() if i in due_by_id]
        print(f"  engine ETA task started after its due time: {percentiles(waits)} "
              f"({len(waits)} tasks; the rest of the lateness is the firing itself)")
    for role in ("engine", "baseline"):
        received = {}
        for item in record.lrange(f"bench:{role}:received", 0, -1):
            deadline_id, at = item.decode().split(":")
            received.setdefault(int(deadline_id), float(at))
        if received:
            ahead = [(due_by_id[i] - at) * 1000 for i, at in received.items() if i in due_by_id]
            print(f"  {role} ETA messages received {len(received)}, ahead of their due time: "
                  f"{percentiles(ahead)}; received after it: "
                  f"{sum(1 for a in ahead if a < 0)}")
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


# --- burst: N deadlines falling due in one second --------------------------------------------

def burst_incidents(office: Unit, leader: Person, count: int) -> list[Incident]:
    """One urgent incident per deadline, as a mass event brings them (bulk insert)."""
    plan = ResponsePlan.objects.current().get(family="default")
    now = timezone.now()
    return Incident.objects.bulk_create(
        Incident(title=f"基准突发事件 {i}", summary="burst", source_url="https://example.invalid/b",
                 platform="bench", discovered_at=now, urgent=True, owner_unit=office,
                 accountable_leader=leader, plan=plan)
        for i in range(count))


def burst_rows(incidents: list[Incident], first_due, spread: float, *,
               eta_queued: bool = True) -> list[Deadline]:
    """A verbal-report deadline (C02) per incident, due evenly from first_due over the next
    `spread` s. With
    `eta_queued` they count as having their ETA task already (beat's sweep queues none); else
    the sweep's queue_upcoming queues them as it would for rows opened long before."""
    rule = incidents[0].plan.rule_for(DeadlineKind.VERBAL_REPORT)
    now, count = timezone.now(), len(incidents)
    return Deadline.objects.bulk_create(
        Deadline(incident=incident, kind=DeadlineKind.VERBAL_REPORT, sequence=1, rule=rule,
                 clause=rule.clause, owed_by_unit=incident.owner_unit, opened_at=now,
                 due_at=first_due + timedelta(seconds=spread * i / count),
                 eta_queued_at=now if eta_queued else None)
        for i, incident in enumerate(incidents))


def measure_batch(office: Unit, leader: Person, size: int) -> None:
    """Queries and time of one batch of `size` due rows, in this process (no worker running)."""
    from django.test.utils import CaptureQueriesContext

    from incidents import sweep

    rows = burst_rows(burst_incidents(office, leader, size),
                      timezone.now() - timedelta(seconds=5), 1.0)
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        claimed = sweep.breach_batch(timezone.now(), size)
        took = time.perf_counter() - began
    assert sorted(claimed) == sorted(row.pk for row in rows)
    statements = [q["sql"] for q in queries.captured_queries]
    print(f"== one batch of {size} due rows (claim, timeline, history, ladders, first notices): "
          f"{len(statements)} queries (BEGIN/COMMIT included: "
          f"{len([q for q in statements if q.split()[0] in ('BEGIN', 'COMMIT')])}), "
          f"{took * 1000:.0f} ms = {size / took:,.0f} rows/s")


def run_burst(office: Unit, leader: Person, count: int, *, lead: float, eta: str,
              timeout: float, logdir: Path, engine_pool: str, roles: tuple,
              baseline: bool) -> dict:
    """eta: "sweep" (queue_upcoming queues the engine's ETA tasks, one per 100 ms of due
    times), "per-row" (one engine ETA task per row, as schedule_fast_path queues a row opened
    within the horizon) or "none" (the sweep alone). With `baseline`, the baseline gets one ETA
    task per row on its own worker; with no engine role in `roles` only the baseline runs (the
    rows stay pending: run it last)."""
    engine = "engine" in roles
    with_eta = baseline or eta != "none"
    broker, record = redis.Redis.from_url(BROKER_URL), redis.Redis.from_url(RECORD_URL)
    broker.flushdb()
    record.flushdb()
    incidents = burst_incidents(office, leader, count)
    stack = Stack({}, with_beat=True, logdir=logdir, engine_pool=engine_pool)
    stack.start(roles)
    try:
        wait_until_ready(record, 0.0, roles=roles)
        first_due = timezone.now() + timedelta(seconds=lead)
        rows = burst_rows(incidents, first_due, 1.0, eta_queued=eta != "sweep")
        if with_eta:
            began = time.perf_counter()
            published = publish_eta_tasks(rows, engine=eta == "per-row", baseline=baseline)
            print(f"  published {published:,} ETA tasks in {time.perf_counter() - began:.1f} s")
        if timezone.now() >= first_due:
            print(f"  (warning: publishing ran past the first due time; "
                  f"raise the lead of {lead} s)")
        ids = [row.pk for row in rows]
        give_up = time.time() + lead + 1 + timeout
        # The burst's rows are one bulk insert: a range of keys. (Polling with 10,000 ids as
        # parameters five times a second took a quarter of a core from the workers measured.)
        burst = Deadline.objects.filter(pk__range=(min(ids), max(ids)),
                                        state=Deadline.State.BREACHED)
        while time.time() < give_up:
            engine_done = not engine or burst.count() == count
            baseline_done = not baseline or record.llen("bench:baseline:fired") >= count
            if engine_done and baseline_done:
                break
            time.sleep(0.2)
        time.sleep(2)  # let a duplicate, if any, land before counting
        return analyse_burst(ids, first_due, record, engine=engine, baseline=baseline)
    finally:
        stack.stop()


def publish_eta_tasks(rows: list[Deadline], engine: bool, baseline: bool) -> int:
    """With `baseline`, the baseline's ETA task per row (baseline queue, its own worker); with
    `engine`, the engine's ETA fast path per row (deadlines queue) as schedule_fast_path
    queues it."""
    from bench.baseline_tasks import baseline_fire
    from incidents.tasks import fire_deadline
    from opinion_ops.celery import app

    with app.producer_or_acquire() as producer:  # one connection for all of them
        for row in rows:
            if engine:
                fire_deadline.apply_async((row.pk, str(row.fence)), eta=row.due_at,
                                          retry=False, producer=producer)
            if baseline:
                baseline_fire.apply_async((row.pk,), eta=row.due_at, queue="baseline",
                                          producer=producer)
    return len(rows) * (int(engine) + int(baseline))


def analyse_burst(ids: list[int], first_due, record, *, engine: bool, baseline: bool) -> dict:
    from incidents.models import EscalationNotice

    figures = {}
    if engine:
        figures.update(analyse_engine_burst(ids, first_due, EscalationNotice))
    if baseline:
        due = {pk: at.timestamp() for pk, at in
               Deadline.objects.filter(pk__in=ids).values_list("pk", "due_at")}
        fired: dict[int, list[float]] = {}
        for item in record.lrange("bench:baseline:fired", 0, -1):
            deadline_id, at = item.decode().split(":")
            fired.setdefault(int(deadline_id), []).append(float(at))
        figures["baseline"] = summarise(ids, due, fired, None)
        last = max((min(times) for times in fired.values()), default=first_due.timestamp())
        figures["baseline"]["seconds"] = last - first_due.timestamp()
    return figures


def analyse_engine_burst(ids: list[int], first_due, EscalationNotice) -> dict:

    entries: dict[int, list[float]] = {}
    for data, recorded in TimelineEntry.objects.filter(
            event=Event.DEADLINE_BREACHED, data__deadline__in=ids).values_list("data",
                                                                               "recorded_at"):
        entries.setdefault(data["deadline"], []).append(recorded.timestamp())
    escalations = Counter(Escalation.objects.filter(deadline_id__in=ids)
                          .values_list("deadline_id", flat=True))
    notices = Counter(EscalationNotice.objects.filter(escalation__deadline_id__in=ids, level=1)
                      .values_list("escalation__deadline_id", flat=True))
    due = {pk: at.timestamp() for pk, at in
           Deadline.objects.filter(pk__in=ids).values_list("pk", "due_at")}
    lost = [pk for pk in ids if pk not in entries]
    duplicates = sum(max(len(entries.get(pk, [])), escalations[pk], notices[pk], 1) - 1
                     for pk in ids)
    unescalated = sum(1 for pk in ids if pk in entries and not (escalations[pk] and notices[pk]))
    last = max((min(times) for times in entries.values()), default=first_due.timestamp())
    lateness = [(min(times) - due[pk]) * 1000 for pk, times in entries.items()]
    return {"seconds": last - first_due.timestamp(), "lost": len(lost),
            "duplicates": duplicates, "unescalated": unescalated, "lateness": lateness}


def print_burst(count: int, figures: dict, label: str) -> None:
    if "seconds" in figures:
        seconds = figures["seconds"]
        print(f"burst {count}: all breached in {seconds:.2f} s, lost {figures['lost']}, "
              f"duplicates {figures['duplicates']}")
        print(f"  [{label}] {count / seconds:,.0f} breaches/s from the first due time to the "
              f"last breach (the rows fall due over 1 s); every breach escalated with its "
              f"level-1 notice: "
              f"{'yes' if not figures['unescalated'] else 'no, ' + str(figures['unescalated'])}; "
              f"lateness {percentiles(figures['lateness'])}")
    if "baseline" in figures:
        base = figures["baseline"]
        where = "beside the engine" if "seconds" in figures else f"alone [{label}]"
        print(f"  ETA-only baseline (own worker, queue baseline, {where}): last fired "
              f"{base['seconds']:.2f} s after the first due time; lateness "
              f"{percentiles(base['lateness'])}  fired {base['fired']}  lost {base['lost']}  "
              f"duplicates {base['duplicates']}")


def burst_main(args, logdir: Path) -> None:
    office = Unit.objects.create(name="基准测试舆情办", kind=Unit.Kind.OFFICE)
    leadership = Unit.objects.create(name="基准测试领导小组", kind=Unit.Kind.LEADERSHIP)
    from django.contrib.auth.models import User

    leader = Person.objects.create(user=User.objects.create(username="bench-leader"),
                                   name="基准组长", unit=leadership)
    Person.objects.create(user=User.objects.create(username="bench-duty"), name="基准值班",
                          unit=office)
    measure_batch(office, leader, settings_batch())
    roles = tuple(role for role in ENGINE_QUEUES
                  if not (role == "deliveries" and args.without_deliveries))
    # The engine and the ETA-only baseline each get the machine to themselves, one after the
    # other: on 2 cores, a baseline firing its 10,000 tasks at the same moment takes a core
    # from the engine (and the engine one from it). --burst-baseline-beside runs them at once.
    beside = args.burst_baseline_beside
    scenarios = [("sweep, ETA tasks queued by the sweep", "sweep", roles, beside),
                 ("sweep alone, no ETA tasks", "none", roles, False)]
    if args.burst_eta_per_row:
        scenarios.append(("sweep, one ETA task per row", "per-row", roles, beside))
    if args.burst_only_eta:
        scenarios = scenarios[:1]
    if args.burst_only_sweep:
        scenarios = scenarios[1:2]
    if not beside:  # last: its rows stay pending, with no engine worker running
        scenarios.append(("ETA tasks only, no engine worker", "none", ("baseline",), True))
    for label, eta, run_roles, baseline in scenarios:
        figures = run_burst(office, leader, args.burst, lead=args.burst_lead, eta=eta,
                            timeout=args.burst_timeout, logdir=logdir,
                            engine_pool=args.engine_pool, roles=run_roles, baseline=baseline)
        print_burst(args.burst, figures, f"{label}; deadlines worker pool {args.engine_pool}"
                    + ("; no deliveries worker" if args.without_deliveries else ""))
    # What `manage.py verify_audit` checks, over every chain the bursts wrote to.
    from audit.verify import verify

    began = time.perf_counter()
    report = verify()
    print(f"audit chains after the bursts (audit.verify): "
          f"{'OK' if report.ok else 'BROKEN'}, {report.chains:,} chains, {report.links:,} links"
          f" ({time.perf_counter() - began:.0f} s)"
          + "".join(f"\n  {problem}" for problem in report.breaks[:5]))


def settings_batch() -> int:
    from django.conf import settings

    return settings.DEADLINE_SWEEP_BATCH


def main():
    args = ARGS
    logdir = Path(os.environ["OPINIONOPS_VAR_DIR"]) / "bench-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    if args.burst:
        burst_main(args, logdir)
        return
    incident = seed_incident()

    print("== sweep query (pending rows due now, partial index on due_at WHERE pending)")
    insert_far_pending(incident, args.pending, 0)
    median, worst, plan = time_sweep_query()
    print(f"  {args.pending:>9,} pending: median {median:.3f} ms, max {worst:.3f} ms  [{plan}]")
    if args.pending_big > args.pending:
        insert_far_pending(incident, args.pending_big - args.pending, args.pending)
        median, worst, plan = time_sweep_query()
        print(f"  {args.pending_big:>9,} pending: median {median:.3f} ms, max {worst:.3f} ms")

    rate = f"{args.due / args.window:,.0f}/s for {args.window:.0f} s"
    # Every ETA task (two per deadline) is published before the first falls due: ~4 ms each
    # on an idle machine, 12 ms under a load average of 15 (6,000 took 73 s).
    lead = args.lead if args.lead is not None else 10.0 + 2 * args.due * 0.015
    results = [(f"normal running, {args.due:,} deadlines ({rate})",
                run_scenario("normal running", incident, args.due, args.window, lead=lead,
                             env_overrides={}, kill_at=None, logdir=logdir))]
    if not args.skip_faults:
        results.append((
            "worker SIGKILLed mid-run, restarted 3 s later",
            run_scenario("worker SIGKILLed mid-run and restarted after 3 s", incident,
                         args.due, args.window, lead=lead, env_overrides={},
                         kill_at=args.window / 2, logdir=logdir)))
        short = max(200, args.due // 5)
        ahead = max(15.0, 10.0 + 2 * short * 0.015)
        label = f"visibility timeout 10 s, {short:,} deadlines {ahead:.0f}-{ahead + 30:.0f} s ahead"
        results.append((label, run_scenario(
            label, incident, short, 30.0, lead=ahead,
            env_overrides={"CELERY_VISIBILITY_TIMEOUT": "10"}, kill_at=None, logdir=logdir)))
    print_side_by_side(results, args.pending_big)


def print_side_by_side(results: list[tuple[str, dict]], pending: int) -> None:
    """One table: each scenario's engine and ETA-only figures on one line, each on its own
    worker (queues `deadlines` and `baseline`)."""
    def cells(figures: dict) -> str:
        ordered = sorted(figures["lateness"])
        p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0  # noqa: E731
        after = figures["after_fault_ms"]
        return (f"{p(0.50):8.1f} {p(0.99):8.1f} {ordered[-1] if ordered else 0:8.1f} "
                f"{figures['lost']:5} {figures['duplicates']:4} "
                + (f"{after:8.0f}" if after is not None else f"{'':>8}"))

    head = f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>5} {'dup':>4} {'ready→ms':>8}"
    print(f"\n== engine vs ETA-only, {pending:,} pending (load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"{'scenario':<52} | engine {head} | ETA-only {head}")
    for name, figures in results:
        print(f"{name:<52} | {'':6} {cells(figures['engine'])} | {'':8} "
              f"{cells(figures['baseline'])}")
    print("ready→ms: the last overdue row's firing after the restarted worker was ready")


if __name__ == "__main__":
    main()
