"""Intake benchmark: leads per second and push latency through the DingTalk robot endpoint,
served by gunicorn as deploy/opinionops-web.service serves it (sync workers, WEB_CONCURRENCY,
default 2 × cores + 1; DB_CONN_MAX_AGE=60 as in deploy/opinionops.env.example).

Each push is what a monitoring tool sends: a markdown digest with `--links` posts (distinct
URLs and titles, so every one is a new lead), signed with 加签 on the URL, posted over HTTP
with keep-alive by `--clients` processes at once. The figures are end to end: the response
includes the transaction that stored the push, its leads, their history lines and triage
windows. Before timing, a backlog of `--backlog` leads (a day of a busy office) is stored and
the tables are analysed, as autovacuum keeps a running database: each push compares its titles
with the most recent INTAKE_DEDUP_CANDIDATES leads (intake.dedup). Also printed: the database
queries one push costs with 1 and with 10 links (constant in the number of links), measured
in-process on the same database.

Needs PostgreSQL (BENCH_ADMIN_DATABASE_URL, default the local server; it creates and drops its
own database, BENCH_DB_NAME) and nothing else (no Celery: a push queues no task unless a
watch-list rule opens an incident). Prints figures; asserts nothing.

    python bench/intake.py [--pushes 2000 --links 5 --clients 4 --workers 5 --warmup 100
                            --backlog 5000]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import database  # noqa: E402  (the path above makes the package importable)

ADMIN_URL = os.environ.get("BENCH_ADMIN_DATABASE_URL",
                           "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB_NAME", "opinionops_bench_intake")
DATABASE_URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
SECRET = "SECbench0123456789abcdef0123456789abcdef0123456789abcdef01234567"
# Enough distinct characters that two generated titles are never near-duplicates (RapidFuzz
# ratio ≥ 90 would make the second a repeat of the first, not a new lead).
WORDS = ("食堂 饭菜 变质 家长 质疑 课后 服务 收费 晚自习 时长 热议 校车 安全 宿舍 漏水 "
         "教师 体罚 招生 违规 补课 教材 更换 操场 异味 毕业 典礼 延期 学费 上涨 食品 抽检").split()


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--links", type=int, default=5, help="posts (leads) per push")
    parser.add_argument("--clients", type=int, default=4, help="concurrent sending processes")
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("WEB_CONCURRENCY", 2 * os.cpu_count() + 1)))
    parser.add_argument("--warmup", type=int, default=100, help="pushes sent before timing")
    parser.add_argument("--backlog", type=int, default=5000, help="leads stored before timing")
    return parser.parse_args()


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())
    env.update({"DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "opinion_ops.settings",
                "DEBUG": "false", "DB_CONN_MAX_AGE": env.get("DB_CONN_MAX_AGE", "60"),
                "OPINIONOPS_VAR_DIR": env.get("OPINIONOPS_VAR_DIR", "/tmp/opinionops-bench"),
                "REDIS_URL": env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
                # One source pushes thousands a minute here: its rate limit is lifted.
                "INTAKE_RATE_LIMIT": "0"})
    return env


def recreate_database():
    database.recreate(ADMIN_URL, DB_NAME)


def drop_database():
    database.drop(ADMIN_URL, DB_NAME)


def seed() -> str:
    """An office, a department with a watch list and an officer on a 24-hour shift, and a
    DingTalk source with 加签; returns the source's token."""
    from datetime import timedelta

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from intake.models import DutyShift, WatchRule
    from intake.sources import create_source
    from organisation.models import Person, Unit

    call_command("migrate", verbosity=0)
    Unit.objects.create(name="基准舆情办", kind=Unit.Kind.OFFICE)
    department = Unit.objects.create(name="基准教务处", kind=Unit.Kind.DEPARTMENT)
    duty = Person.objects.create(user=User.objects.create(username="bench-duty"),
                                 name="基准值班", unit=department)
    now = timezone.now()
    DutyShift.objects.create(unit=department, person=duty, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(hours=23))
    WatchRule.objects.create(unit=department, name="校园食品安全", keywords="食堂\n食品+抽检",
                             exclusions="广告")
    WatchRule.objects.create(unit=department, name="招生收费", keywords="招生+违规\n学费",
                             exclusions="招聘")
    return create_source(kind="dingtalk", name="基准钉钉推送", unit_id=department.pk,
                         secret=SECRET).token


def store_backlog(source_token: str, count: int) -> None:
    """`count` leads through the same ingest path as a push, then ANALYZE (stale statistics of
    a table filled seconds ago would plan the dedup window's query as a sequential scan)."""
    from django.db import connection

    from intake.links import Item
    from intake.models import IntakeSource
    from intake.receiving import ingest

    source = IntakeSource.objects.get(token=source_token)
    rng = random.Random(7)
    for start in range(0, count, 50):
        ingest(source, [Item(title="".join(rng.sample(WORDS, 6)) + f"b{n}",
                             url=f"https://weibo.com/backlog/{n}")
                        for n in range(start, min(count, start + 50))], body={})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def message(rng: random.Random, serial: str, links: int) -> bytes:
    lines = []
    for i in range(links):
        title = "".join(rng.sample(WORDS, 6)) + f"{serial}-{i}"
        heat = rng.randint(1, 99)
        lines.append(f"{i + 1}. [{title}](https://weibo.com/{serial}/{i}) 热度 {heat}万")
    body = {"msgtype": "markdown",
            "markdown": {"title": "舆情监测提醒", "text": "#### 舆情监测提醒\n" + "\n".join(lines)}}
    return json.dumps(body, ensure_ascii=False).encode()


def signed_path(token: str) -> str:
    from intake.protocols.dingtalk import sign

    stamp = int(time.time() * 1000)
    return (f"/intake/dingtalk/robot/send?access_token={token}"
            f"&timestamp={stamp}&sign={quote_plus(sign(SECRET, stamp))}")


def client(port: int, token: str, count: int, links: int, seed_value: int, results):
    """One sender: `count` pushes over one keep-alive connection; (latency s, errcode) each."""
    rng = random.Random(seed_value)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    for n in range(count):
        body = message(rng, f"{seed_value}x{n}", links)
        started = time.perf_counter()
        connection.request("POST", signed_path(token), body=body, headers={
            "Content-Type": "application/json;charset=utf-8", "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - started
        try:
            code = json.loads(answer).get("errcode")
        except ValueError:
            code = f"HTTP {response.status}"
        timings.append((elapsed, code))
    connection.close()
    results.put(timings)


def run_clients(port, token, total, clients, links, base_seed) -> tuple[float, list]:
    results = multiprocessing.Queue()
    share = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    procs = [multiprocessing.Process(target=client, args=(port, token, n, links,
                                                          base_seed + i, results))
             for i, n in enumerate(share) if n]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    timings = [t for _ in procs for t in results.get()]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join()
    return wall, timings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    log = open(Path(env["OPINIONOPS_VAR_DIR"]) / "bench-intake-gunicorn.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "opinion_ops.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
         "--forwarded-allow-ips", "127.0.0.1", "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {log.name}")


def queries_per_push(token: str, links: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    body = message(random.Random(links), f"q{links}", links)
    with CaptureQueriesContext(connection) as queries:
        reply = Client().post(signed_path(token), data=body, content_type="application/json",
                              HTTP_X_FORWARDED_PROTO="https")
    assert reply.json()["errcode"] == 0, reply.content
    return len(queries)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    args = parse_args()
    env = environment()
    os.environ.update(env)
    Path(env["OPINIONOPS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    recreate_database()
    import django

    django.setup()
    token = seed()
    store_backlog(token, args.backlog)
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    few, many = queries_per_push(token, 1), queries_per_push(token, 10)
    connection.close()

    port = free_port()
    server = start_gunicorn(env, port, args.workers)
    try:
        run_clients(port, token, args.warmup, args.clients, args.links, 10_000)
        wall, timings = run_clients(port, token, args.pushes, args.clients, args.links, 20_000)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    from intake.models import Lead, Push

    ok = sum(code == 0 for _t, code in timings)
    failed = [code for _t, code in timings if code != 0]
    latencies = [t * 1000 for t, _code in timings]
    leads = Lead.objects.count()
    expected = args.backlog + (args.warmup + args.pushes) * args.links + 1 + 10
    print(f"intake bench: {args.pushes} DingTalk pushes × {args.links} links, "
          f"{args.clients} clients, gunicorn {args.workers} sync workers, "
          f"{os.cpu_count()} cores, PostgreSQL, backlog {args.backlog} leads")
    print(f"  {args.pushes * args.links / wall:,.0f} leads/s ({args.pushes / wall:,.0f} pushes/s) "
          f"over {wall:.2f} s; answered ok {ok}, refused {len(failed)} {sorted(set(failed))[:5]}")
    print(f"  latency per push p50 {statistics.median(latencies):.1f} ms, "
          f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms")
    print(f"  stored: {leads} leads (expected {expected}), {Push.objects.count()} pushes")
    print(f"  database queries per push: {few} with 1 link, {many} with 10 links")
    connection.close()
    if not os.environ.get("BENCH_KEEP_DATABASE"):
        drop_database()


if __name__ == "__main__":
    main()
