"""Console benchmark: server time of the office's board, the incident page and search over
100,000 incidents (target p95 < 100 ms).

Seeds N incidents (default 100,000) in bulk: most closed over the past years, `--open` of them
open across the open states with their report deadlines (some overdue), each with a report
deadline; then times each page in-process through Django's test client as the office's staff
(the whole request: middleware, the access policy's scoping, the queries and the template).

Needs PostgreSQL (BENCH_ADMIN_DATABASE_URL; default the local server). It creates and drops
its own database (BENCH_DB_NAME, default opinionops_bench_console). Prints figures; asserts
nothing.

    python bench/console.py [--incidents 100000 --open 5000 --requests 60] [--keep | --reuse]

Beside each page's times it prints the queries per request, the time spent in the database
(wall time of the queries as the client sees it) and this process's CPU time per request: on a
shared machine the total moves with the load, and these say how much of it is whose.
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import database  # noqa: E402  (the path above makes the package importable)

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "opinionops_bench_console")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME

os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())
os.environ.update({"DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "opinion_ops.settings",
                   "SECURE_SSL_REDIRECT": "false", "ALLOWED_HOSTS": "testserver",
                   "LOG_LEVEL": "WARNING",
                   "OPINIONOPS_VAR_DIR": os.environ.get("OPINIONOPS_VAR_DIR",
                                                        "/tmp/opinionops-bench-console")})

BATCH = 5000
WORDS = ["食堂", "宿舍", "停电", "考试", "招生", "收费", "校车", "教师", "网传", "实验室", "体育馆",
         "图书馆", "奖学金", "军训", "毕业", "论文", "疫苗", "外卖", "快递", "暴雨"]


def recreate_database():
    database.recreate(ADMIN_URL, DB_NAME)


def drop_database():
    from django.db import connections

    connections.close_all()
    database.drop(ADMIN_URL, DB_NAME)


def seed(total: int, open_count: int):
    """An office (tests.factories.Org), one incident made through the actions to copy the
    plan's report deadline from, and `total` incidents in batches."""
    from django.utils import timezone

    from incidents import actions
    from incidents.models import OPEN_STATES, Deadline, Incident, Severity, State
    from tests.factories import Org, incident_kwargs

    org = Org()
    model = actions.detect_incident(org.duty.user, **incident_kwargs(
        title="基准样本事件", owner_unit=org.department))
    report = model.deadlines.get()
    now = timezone.now()
    closed = [State.REVIEWED, State.DISMISSED]
    rng = random.Random(14)
    started = time.perf_counter()
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        incidents, owed = [], []
        for i in range(made, made + size):
            is_open = i < open_count
            discovered = now - (timedelta(minutes=rng.randint(1, 600)) if is_open
                                else timedelta(days=rng.randint(1, 1500)))
            state = (OPEN_STATES[i % len(OPEN_STATES)] if is_open
                     else closed[i % len(closed)])
            title = "".join(rng.sample(WORDS, 3)) + f"事件{i}"
            incidents.append(Incident(
                title=title, summary=f"{title}：网民发帖，引发转发与评论。",
                source_url=f"https://weibo.com/{i}/x", platform="微博", discovered_at=discovered,
                discovered_by=org.duty, urgent=i % 17 == 0, owner_unit=org.department,
                accountable_leader=org.leader, plan=model.plan, state=state,
                severity="" if state in (State.DETECTED, State.REPORTED)
                else [Severity.GENERAL, Severity.MAJOR][i % 2],
                created_at=discovered))
            owed.append(is_open and state == State.DETECTED)
        Incident.objects.bulk_create(incidents, batch_size=BATCH)
        Deadline.objects.bulk_create([
            Deadline(incident=incident, kind=report.kind, rule=report.rule, clause=report.clause,
                     owed_by_unit=report.owed_by_unit, opened_at=incident.discovered_at,
                     due_at=incident.discovered_at + timedelta(hours=2),
                     warn_at=incident.discovered_at + timedelta(minutes=90),
                     state=Deadline.State.PENDING if pending else Deadline.State.MET,
                     met_at=None if pending else incident.discovered_at + timedelta(minutes=40))
            for incident, pending in zip(incidents, owed)], batch_size=BATCH)
        made += size
    from django.db import connection
    with connection.cursor() as cursor:
        # As autovacuum leaves a table in service: statistics for the planner, and the
        # visibility map, without which an index-only scan still reads every row's page.
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {total:,} incidents ({open_count:,} open) with their report deadlines "
          f"in {time.perf_counter() - started:.1f} s")
    return org, model


class QueryClock:
    """Counts the queries of a request and the time spent waiting for the database, so that a
    figure taken on a loaded machine can be judged (the server's share against Python's)."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.seconds += time.perf_counter() - started


def timed(client, urls, requests: int) -> tuple[list[float], list[int], list[float], list[float]]:
    """Each request's total time (ms), its number of queries, its time in the database and the
    CPU time this process spent on it (ms): the last is the Python side's own cost, which
    a loaded machine's waiting for a core does not inflate."""
    from django.db import connection

    for url in urls[:3]:
        assert client.get(url).status_code == 200, url  # warm: templates, content types
    times, queries, db_times, cpu_times = [], [], [], []
    for n in range(requests):
        url = urls[n % len(urls)]
        clock = QueryClock()
        with connection.execute_wrapper(clock):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu_started) * 1000)
        queries.append(clock.queries)
        db_times.append(clock.seconds * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, queries, db_times, cpu_times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]  # never beyond the max


def report(name: str, measured: tuple[list[float], list[int], list[float], list[float]]):
    times, queries, db_times, cpu_times = measured
    counts = f"{min(queries)}" if min(queries) == max(queries) else \
        f"{min(queries)}-{max(queries)}"
    print(f"  {name:<38} p50 {statistics.median(times):6.1f} ms   p95 {p95(times):6.1f} ms   "
          f"max {max(times):6.1f} ms   ({len(times)} requests)\n"
          f"  {'':<38} {counts} queries/request; database p50 "
          f"{statistics.median(db_times):5.1f} ms, p95 {p95(db_times):5.1f} ms; "
          f"Python CPU p50 {statistics.median(cpu_times):5.1f} ms, p95 {p95(cpu_times):5.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="time a database kept by an earlier --keep run (migrated again, "
                             "not seeded again); implies --keep")
    args = parser.parse_args()
    args.keep = args.keep or args.reuse

    if not args.reuse:
        recreate_database()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from incidents.models import OPEN_STATES, Incident

    call_command("migrate", verbosity=0)
    try:
        if args.reuse:
            staff = get_user_model().objects.get(username="staff")
            model = Incident.objects.get(title="基准样本事件")
            args.incidents = Incident.objects.count()
        else:
            org, model = seed(args.incidents, args.open)
            staff = org.staff.user
        client = Client()
        client.force_login(staff)
        rng = random.Random(7)
        open_ids = list(Incident.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True))
        all_ids = list(Incident.objects.values_list("pk", flat=True))
        pages = [f"/incidents/{pk}/" for pk in rng.sample(open_ids, 20) + rng.sample(all_ids, 20)]
        pages.append(f"/incidents/{model.pk}/")
        searches = [f"/board/?q={word}" for word in WORDS] + [
            f"/incidents/?q={word}" for word in WORDS]
        print(f"console over {args.incidents:,} incidents, as the office's staff:")
        report("board /board/", timed(client, ["/board/"], args.requests))
        report("incident list /incidents/", timed(client, ["/incidents/"], args.requests))
        report("incident page /incidents/<pk>/", timed(client, pages, args.requests))
        report("search /board/?q= and /incidents/?q=", timed(client, searches, args.requests))
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
