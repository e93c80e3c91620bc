"""The stack of a fault scenario, its burst of deadlines and what is measured afterwards.

FaultStack starts every process as production runs it: each under opinion_ops.keepalive (the
service manager's Restart=always), the deadlines worker with two processes, the deliveries
worker with eight threads, and beat with RedBeat (settings). Killing a process "as a crash would" SIGKILLs
its whole process group, the keepalive included: the test then starts it again, as systemd
would, and measures from the moment it is ready.
"""
import os
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.utils import timezone

from audit.verify import verify
from incidents.models import (Deadline, DeadlineChange, Escalation, EscalationChange,
                              EscalationNotice, Event, Incident, TimelineEntry)
from incidents.models.chain import RecordChain
from incidents.models.incident import State as IncidentState
from notifications.models import ChannelConfig, Delivery, Notification
from organisation.models import Person, Unit
from plans.models import DeadlineKind, ResponsePlan
from tests.integration.conftest import ServiceProcess

RESULTS: list["Outcome"] = []
WEBHOOK_SECRET = "faults-webhook-secret-0123456789"


# --- processes --------------------------------------------------------------------------------

class FaultStack:
    def __init__(self, tmp_path: Path, broker_url: str, database_url: str, **env):
        self.tmp_path = tmp_path
        self.var_dir = tmp_path / "var"
        self.var_dir.mkdir(exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(
            DJANGO_SETTINGS_MODULE="opinion_ops.settings", PYTHONUNBUFFERED="1",
            DATABASE_URL=database_url, REDIS_URL=broker_url,
            OPINIONOPS_VAR_DIR=str(self.var_dir), CELERY_TASK_ALWAYS_EAGER="false",
            NOTIFICATION_ALLOWED_PRIVATE_HOSTS="127.0.0.1", NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
            # Recovery within seconds rather than the production half-minute: the delivery
            # sweep every 5 s re-queues a delivery whose task was lost 15 s ago; a transient
            # failure is retried after 1, 2, 4 s.
            NOTIFICATION_SWEEP_INTERVAL="5", NOTIFICATION_SWEEP_GRACE_SECONDS="15",
            NOTIFICATION_RETRY_BASE_SECONDS="1", NOTIFICATION_RETRY_MAX_SECONDS="4",
            NOTIFICATION_MAX_ATTEMPTS="30", NOTIFICATION_SENDING_LEASE_SECONDS="10",
            LOG_LEVEL="INFO")
        self.env.update({k: str(v) for k, v in env.items()})
        self.processes: list[ServiceProcess] = []

    def _spawn(self, name: str, argv: list[str], ready_text: str) -> ServiceProcess:
        number = sum(p.name.startswith(name) for p in self.processes) + 1
        process = ServiceProcess(
            f"{name}-{number}", [sys.executable, "-m", "opinion_ops.keepalive", *argv],
            self.env, self.tmp_path / f"{name}-{number}.log", ready_text)
        self.processes.append(process)
        return process

    def worker(self, queue: str, concurrency: int = 1, pool: str = "prefork") -> ServiceProcess:
        """A worker on `queue`: solo for a concurrency of 1, else `pool` (prefork or threads)."""
        hostname = f"faults-{queue}-{uuid.uuid4().hex[:6]}@localhost"
        pool = ["--pool=solo"] if concurrency == 1 else [f"--pool={pool}",
                                                         f"--concurrency={concurrency}"]
        return self._spawn(
            f"worker-{queue}",
            [sys.executable, "-m", "celery", "-A", "opinion_ops", "worker", "-Q", queue, *pool,
             "--loglevel=INFO", f"--hostname={hostname}", "--without-gossip",
             "--without-mingle", "--without-heartbeat"], f"{hostname} ready.")

    def beat(self) -> ServiceProcess:
        number = sum(p.name.startswith("beat") for p in self.processes) + 1
        return self._spawn(
            "beat", [sys.executable, "-m", "celery", "-A", "opinion_ops", "beat",
                     "--loglevel=INFO", f"--schedule={self.var_dir}/celerybeat-{number}"],
            "beat: Acquired lock")

    def standard(self, beats: int = 1, workers: int = 1) -> None:
        """The Procfile's engine: deadlines (2 processes), deliveries (8 threads), beat;
        started together, returning once every worker consumes and one beat holds the lock."""
        started = []
        for _ in range(workers):
            started += [self.worker("deadlines", concurrency=2),
                        self.worker("deliveries", concurrency=8, pool="threads")]
        beats_started = [self.beat() for _ in range(beats)]
        for process in started:
            process.wait_ready()
        wait_for(lambda: any(ready_count(b) for b in beats_started), 60, "no beat took the lock")

    def by_name(self, prefix: str) -> list[ServiceProcess]:
        return [p for p in self.processes if p.name.startswith(prefix) and p.is_alive()]

    def active_beat(self) -> ServiceProcess:
        holders = [b for b in self.by_name("beat") if ready_count(b)]
        assert len(holders) == 1, f"{len(holders)} beats say they took the lock"
        return holders[0]

    def logs(self) -> list[tuple[str, str]]:
        return [(f"{p.name} log ({p.log_path})", p.log()) for p in self.processes]

    def close(self) -> None:
        for process in self.processes:
            process.close()


def ready_count(process: ServiceProcess) -> int:
    return process.log().count(process.ready_text)


def restart(process: ServiceProcess, stack: FaultStack) -> ServiceProcess:
    """Start again what was killed (systemd's Restart=always); returns once it is ready."""
    again = stack._spawn(process.name.rsplit("-", 1)[0], process.argv[3:], process.ready_text)
    again.wait_ready()
    return again


def wait_for(predicate, timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not true after {timeout:g} s: {message}")
        time.sleep(interval)


def reconnect() -> None:
    """The test process's own connection after the database restarted."""
    for connection in connections.all():
        connection.close_if_unusable_or_obsolete()
        if connection.connection is not None and not connection.is_usable():
            connection.close()


# --- the burst --------------------------------------------------------------------------------

@dataclass
class Burst:
    ids: list[int]
    first_due: object
    last_due: object
    unit: Unit


def organisation(receiver_url: str, timeout: float = 2.0) -> Unit:
    """The owning department (one person, a webhook group channel) and a leadership member."""
    unit = Unit.objects.create(name="故障演练处", kind=Unit.Kind.DEPARTMENT)
    leadership = Unit.objects.create(name="故障演练领导小组", kind=Unit.Kind.LEADERSHIP)
    Person.objects.create(user=User.objects.create(username="faults-duty"), name="演练值班",
                          unit=unit)
    Person.objects.create(user=User.objects.create(username="faults-leader"), name="演练组长",
                          unit=leadership)
    ChannelConfig.objects.create(name="演练处机器人", kind="webhook", unit=unit,
                                 config={"url": receiver_url, "secret": WEBHOOK_SECRET,
                                         "timeout": timeout})
    return unit


def burst(unit: Unit, count: int, lead: float, spread: float = 1.0) -> Burst:
    """`count` urgent incidents whose verbal-report deadline (C02) falls due `lead` s from now,
    within `spread` s; their ETA tasks are the sweep's to queue (queue_upcoming)."""
    plan = ResponsePlan.objects.current().get(family="default")
    leader = Person.objects.get(user__username="faults-leader")
    now = timezone.now()
    incidents = Incident.objects.bulk_create(
        Incident(title=f"演练突发事件 {i}", summary="fault drill", platform="drill",
                 source_url="https://example.invalid/drill", discovered_at=now, urgent=True,
                 owner_unit=unit, accountable_leader=leader, plan=plan)
        for i in range(count))
    rule = plan.rule_for(DeadlineKind.VERBAL_REPORT)
    first_due = now + timedelta(seconds=lead)
    rows = Deadline.objects.bulk_create(
        Deadline(incident=incident, kind=DeadlineKind.VERBAL_REPORT, sequence=1, rule=rule,
                 clause=rule.clause, owed_by_unit=unit, opened_at=now,
                 due_at=first_due + timedelta(seconds=spread * i / count))
        for i, incident in enumerate(incidents))
    return Burst([row.pk for row in rows], first_due,
                 first_due + timedelta(seconds=spread), unit)


# --- the outcome ------------------------------------------------------------------------------

@dataclass
class Outcome:
    scenario: str
    deadlines: int
    breached: int
    lost: int
    duplicates: int
    max_lateness: float
    clear_seconds: float | None
    problems: list[str]


def cleared(b: Burst, receiver) -> bool:
    """Every deadline breached and every first notice delivered on every copy."""
    if Deadline.objects.filter(pk__in=b.ids, state=Deadline.State.BREACHED).count() < len(b.ids):
        return False
    first = Notification.objects.filter(deadline_id__in=b.ids, level=1)
    if first.count() < len(b.ids):
        return False
    copies = Delivery.objects.filter(notification__in=first)
    if copies.exclude(status=Delivery.Status.SENT).exists():
        return False
    hooks = set(copies.filter(channel_kind="webhook").values_list("idempotency_key", flat=True))
    return len(hooks) == len(b.ids) and hooks <= receiver.delivered_keys()


def wait_cleared(b: Burst, receiver, timeout: float) -> float | None:
    """Seconds until cleared (monotonic, from now), or None after `timeout`."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if cleared(b, receiver):
                return time.monotonic() - began
        except Exception:  # the database is coming back: ask again
            reconnect()
        time.sleep(0.25)
    return None


def measure(scenario: str, b: Burst, receiver, clear_seconds: float | None) -> Outcome:
    """Counts and invariants after the scenario, recorded for the table; read in one
    snapshot (REPEATABLE READ), so rows and chain heads agree even if a worker still writes."""
    time.sleep(2)  # a late duplicate, if any, lands before counting
    reconnect()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        outcome = _measure(scenario, b, receiver, clear_seconds)
    RESULTS.append(outcome)
    return outcome


def _measure(scenario: str, b: Burst, receiver, clear_seconds: float | None) -> Outcome:
    ids, problems = b.ids, []
    rows = {pk: (state, due, at) for pk, state, due, at in Deadline.objects.filter(
        pk__in=ids).values_list("pk", "state", "due_at", "breached_at")}
    breached = [pk for pk, (state, _d, _a) in rows.items() if state == Deadline.State.BREACHED]
    entries = Counter(data["deadline"] for data in TimelineEntry.objects.filter(
        event=Event.DEADLINE_BREACHED, data__deadline__in=ids).values_list("data", flat=True))
    escalations = Counter(Escalation.objects.filter(deadline_id__in=ids)
                          .values_list("deadline_id", flat=True))
    notices = Counter(EscalationNotice.objects.filter(escalation__deadline_id__in=ids, level=1)
                      .values_list("escalation__deadline_id", flat=True))
    first = Notification.objects.filter(deadline_id__in=ids, level=1)
    notifications = Counter(first.values_list("deadline_id", flat=True))
    copies = Delivery.objects.filter(notification__in=first)
    hooks = set(copies.filter(channel_kind="webhook").values_list("idempotency_key", flat=True))
    delivered = receiver.delivered_keys()
    lost = sum(1 for pk in ids if entries[pk] == 0 or notices[pk] == 0)
    undelivered = len(hooks - delivered) + (len(ids) - len(hooks))
    doubled = {"breach entries": sum(max(entries[pk] - 1, 0) for pk in ids),
               "escalations": sum(max(escalations[pk] - 1, 0) for pk in ids),
               "first notices": sum(max(notices[pk] - 1, 0) for pk in ids),
               "notifications": sum(max(notifications[pk] - 1, 0) for pk in ids),
               "webhook deliveries": receiver.duplicates()}
    duplicates = (sum(max(entries[pk], escalations[pk], notices[pk], notifications[pk], 1) - 1
                      for pk in ids) + receiver.duplicates())
    if duplicates:
        problems.append("doubled: " + ", ".join(f"{n} {what}" for what, n in doubled.items()
                                                if n))
    if undelivered:
        problems.append(f"{undelivered} first notices not delivered to the webhook")
    unsent = copies.exclude(status=Delivery.Status.SENT).count()
    if unsent:
        problems.append(f"{unsent} first-notice copies not sent")
    # impossible states
    for pk, (state, due, at) in rows.items():
        if state == Deadline.State.BREACHED and (at is None or at < due):
            problems.append(f"deadline {pk} breached at {at}, before it was due at {due}")
        if state != Deadline.State.BREACHED:
            problems.append(f"deadline {pk} is {state} after it fell due")
    if Escalation.objects.filter(deadline_id__in=ids).exclude(
            state=Escalation.State.OPEN).exists():
        problems.append("an escalation nobody acknowledged is not open")
    incident_ids = list(Deadline.objects.filter(pk__in=ids).values_list("incident_id", flat=True))
    if Incident.objects.filter(pk__in=incident_ids).exclude(
            state=IncidentState.DETECTED).exists():
        problems.append("an incident changed state without a step")
    if Delivery.objects.filter(status=Delivery.Status.SENDING).exists():
        problems.append("a delivery is stuck in sending")
    # no gap in any timeline: each chain's places are 1..n (verify checks that, the hashes,
    # and the recorded heads)
    report = verify(incident_ids)
    if not report.ok:
        problems.append(f"audit chain broken: {report.breaks[0]}")
    lengths = dict(RecordChain.objects.filter(incident_id__in=incident_ids)
                   .values_list("incident_id", "length"))
    links = Counter(TimelineEntry.objects.filter(incident_id__in=incident_ids)
                    .values_list("incident_id", flat=True))
    links.update(DeadlineChange.objects.filter(deadline__incident_id__in=incident_ids)
                 .values_list("deadline__incident_id", flat=True))
    links.update(EscalationChange.objects.filter(
        escalation__deadline__incident_id__in=incident_ids)
        .values_list("escalation__deadline__incident_id", flat=True))
    short = [pk for pk in incident_ids if lengths.get(pk, 0) != links[pk]]
    if short:
        problems.append(f"incident {short[0]}: {links[short[0]]} links, chain says "
                        f"{lengths.get(short[0], 0)}")
    lateness = max(((at - due).total_seconds() for _s, due, at in rows.values() if at),
                   default=0.0)
    return Outcome(scenario, len(ids), len(breached), lost, duplicates, lateness,
                   clear_seconds, problems)


def format_table(results: list[Outcome]) -> list[str]:
    header = ("scenario", "deadlines", "breached", "lost", "duplicates", "max lateness",
              "clear after recovery")
    rows = [header] + [
        (r.scenario, str(r.deadlines), str(r.breached), str(r.lost), str(r.duplicates),
         f"{r.max_lateness:.1f} s",
         "not cleared" if r.clear_seconds is None else f"{r.clear_seconds:.1f} s")
        for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return lines
