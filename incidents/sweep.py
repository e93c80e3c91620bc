"""The sweep: beat claims due deadline rows in batches, marks them breached and says so, once.

A batch is claimed with one statement that changes only rows still pending and returns their
ids: on PostgreSQL `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING
id`, so concurrent sweepers take disjoint batches and never wait on each other; on SQLite the
same conditional UPDATE inside the IMMEDIATE transaction the settings ask for, which holds the
database's write lock from BEGIN. A second sweeper, a redelivered ETA task or a restarted
worker finds nothing left to claim. Whatever a batch writes next costs a constant number of
queries, whatever its size: the timeline entries and history rows are bulk inserts, and the
batch is announced as ONE `deadlines_breached` event (the ladder, in notifications, subscribes
in the same transaction and starts every ladder of the batch with bulk inserts too).

A sweep loops over batches until nothing is due or its time budget is spent, so a burst of
deadlines clears in one sweep instead of one batch a second.
"""
import functools
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opinion_ops import events
from opinion_ops.choice_labels import labels
from opinion_ops.redaction import redact, redact_data
from organisation.actors import actor_name

from . import chain
from .deadlines import eta_horizon, local_time
from .models import Deadline, DeadlineChange, Event, Incident, TimelineEntry

logger = logging.getLogger(__name__)

# How many DEADLINE_SWEEP_INTERVALs one sweep may spend claiming batches under a backlog. More
# than one: beat's next sweep then runs beside it on the deadlines worker's second process, and
# the two claim disjoint batches (SKIP LOCKED) while each waits on the database; measured with
# bench/deadlines.py --burst 10000, 0.8 left that second process idle (~700 vs ~1,250 rows/s).
# Beat's sweeps expire after 5 s, so a solo worker never builds a queue of them.
SWEEP_BUDGET_INTERVALS = 2.0
PENDING, BREACHED = Deadline.State.PENDING, Deadline.State.BREACHED


# --- claiming ---------------------------------------------------------------------------------

def _claim(assignments: str, assignment_params: list, condition: str, condition_params: list,
           order_by: str, limit: int, *, lock_incidents: bool = True) -> list[int]:
    """UPDATE the first `limit` rows matching `condition`, once; the ids it changed.

    `condition` (SQL on incidents_deadline) is repeated in the UPDATE itself, so a row another
    transaction changed meanwhile is never changed twice. On SQLite one statement does it (the
    writer holds the database lock). On PostgreSQL the candidate rows are locked FOR UPDATE
    SKIP LOCKED, so concurrent sweepers take disjoint batches and never wait for each other.

    With `lock_incidents` (the claim writes timeline rows next, whose foreign key takes a KEY
    SHARE lock on the incident) the candidates' incidents are then locked FOR KEY SHARE SKIP
    LOCKED, and a row whose incident a step holds (FOR UPDATE, while it settles deadlines) is
    left for the next batch: the sweep never waits for a step that may wait for it.
    """
    table = connection.ops.quote_name(Deadline._meta.db_table)
    if not connection.features.can_return_columns_from_insert:  # SQLite before 3.35
        return _claim_without_returning(table, assignments, assignment_params, condition,
                                        condition_params, order_by, limit)
    with connection.cursor() as cursor:
        if not connection.features.has_select_for_update_skip_locked:  # SQLite
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE {condition} AND id IN ("
                f"SELECT id FROM {table} WHERE {condition} ORDER BY {order_by} LIMIT %s) "
                f"RETURNING id",
                [*assignment_params, *condition_params, *condition_params, limit])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT id, incident_id FROM {table} WHERE {condition} "
                       f"ORDER BY {order_by} LIMIT %s FOR UPDATE SKIP LOCKED",
                       [*condition_params, limit])
        candidates = cursor.fetchall()
        if lock_incidents and candidates:
            incidents = connection.ops.quote_name(Incident._meta.db_table)
            cursor.execute(f"SELECT id FROM {incidents} WHERE id = ANY(%s) ORDER BY id "
                           f"FOR KEY SHARE SKIP LOCKED",
                           [sorted({incident for _pk, incident in candidates})])
            free = {row[0] for row in cursor.fetchall()}
            candidates = [(pk, incident) for pk, incident in candidates if incident in free]
        if not candidates:
            return []
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {condition} AND id = ANY(%s) "
                       f"RETURNING id",
                       [*assignment_params, *condition_params, [pk for pk, _i in candidates]])
        return [row[0] for row in cursor.fetchall()]


def _claim_without_returning(table, assignments, assignment_params, condition,
                             condition_params, order_by, limit) -> list[int]:
    """Select, then the conditional UPDATE: once-only because the IMMEDIATE transaction
    (settings) holds SQLite's write lock from BEGIN, so nothing changes between the two."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {condition} ORDER BY {order_by} LIMIT %s",
                       [*condition_params, limit])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE {condition} AND id IN ({marks})",
                       [*assignment_params, *condition_params, *ids])
        if cursor.rowcount != len(ids):
            raise transaction.TransactionManagementError(
                "deadline rows changed under a sweep: SQLite needs transaction_mode IMMEDIATE")
    return ids


def _db(field_name: str, value):
    """A value as the column stores it (raw SQL bypasses the fields' conversions)."""
    return Deadline._meta.get_field(field_name).get_db_prep_value(value, connection)


def claim_due(now: datetime, limit: int, *, deadline_id: int | None = None,
              fence: str | None = None) -> list[int]:
    """Mark up to `limit` pending rows due at `now` breached; the ids this call changed."""
    condition, params = "state = %s AND due_at <= %s", [PENDING, _db("due_at", now)]
    if deadline_id is not None:
        condition += " AND id = %s"
        params.append(deadline_id)
    if fence is not None:
        condition += " AND fence = %s"
        params.append(_db("fence", fence))
    return _claim("state = %s, breached_at = %s", [BREACHED, _db("breached_at", now)],
                  condition, params, "due_at", limit)


def claim_warnings(now: datetime, limit: int) -> list[int]:
    """Stamp warned_at on up to `limit` pending rows whose warning time has come; their ids."""
    return _claim("warned_at = %s", [_db("warned_at", now)],
                  "state = %s AND warned_at IS NULL AND warn_at <= %s",
                  [PENDING, _db("warn_at", now)], "warn_at", limit)


# --- recording --------------------------------------------------------------------------------

def system_entry(incident_id: int, event: str, *, clause: str, note: str, data: dict,
                 recipient: str = "", at: datetime | None = None) -> TimelineEntry:
    """An unsaved timeline entry by the system, for bulk_create: the same fields and redaction
    as incidents.timeline.record_event gives one entry."""
    recorded = timezone.now()
    return TimelineEntry(incident_id=incident_id, recorded_at=recorded,
                         occurred_at=at or recorded, actor=None,
                         actor_name=_system_name(get_language()),
                         event=event, clause=clause, note=redact(note),
                         recipient=redact(recipient)[:_RECIPIENT_LENGTH],
                         data=redact_data(data))


_RECIPIENT_LENGTH = TimelineEntry._meta.get_field("recipient").max_length


@functools.lru_cache(maxsize=16)
def _system_name(language: str | None) -> str:
    """The system's name as an actor, once per language (gettext per row cost 0.1 ms)."""
    return actor_name(None)


def record_breaches(deadline_ids: list[int], now: datetime) -> list[int]:
    """In the claiming transaction: timeline entries, history rows and one event for the batch
    (a constant number of queries, whatever the batch's size); the ids in due order."""
    rows = list(Deadline.objects.filter(pk__in=deadline_ids).order_by("due_at", "pk")
                .values_list("pk", "incident_id", "kind", "clause", "due_at",
                             "owed_by_unit__name"))
    kinds, said = labels(Deadline._meta.get_field("kind")), _(
        "%(kind)s已超过时限（截止 %(due)s，责任单位 %(unit)s）")
    entries, changes = [], []
    for pk, incident_id, kind, clause, due_at, unit in rows:
        note = said % {"kind": kinds[kind], "due": local_time(due_at), "unit": unit}
        lateness_ms = round((now - due_at).total_seconds() * 1000)
        entries.append(system_entry(incident_id, Event.DEADLINE_BREACHED, clause=clause,
                                    note=note, data={"deadline": pk,
                                                     "detected_late_ms": lateness_ms},
                                    at=now))  # the sweep's time (a given `now` too)
        # The row's deadline as a loaded partial instance: the seal finds its incident
        # without a query of its own.
        changes.append(DeadlineChange(
            deadline=Deadline.from_db(connection.alias, ["id", "incident_id"], [pk, incident_id]),
            kind=DeadlineChange.Kind.BREACHED, state=BREACHED, recorded_at=now, note=note))
    chain.bulk_insert(entries, changes)  # one seal for both: one lock and move of the heads
    ids = [row[0] for row in rows]
    # Kinds and incidents ride along, so subscribers need not read them again (a referral
    # reply among them, the incidents whose findings to refresh).
    events.publish(events.DEADLINES_BREACHED, deadline_ids=ids, at=now,
                   kinds=sorted({row[2] for row in rows}),
                   incident_ids=sorted({row[1] for row in rows}))
    return ids


def _record_warnings(deadline_ids: list[int], now: datetime) -> None:
    rows = Deadline.objects.filter(pk__in=deadline_ids).order_by("warn_at", "pk") \
        .only("pk", "incident_id", "kind", "clause", "due_at")
    kinds, said = labels(Deadline._meta.get_field("kind")), _(
        "%(kind)s将于 %(due)s 到期，剩余约 %(m)s 分钟")
    entries = []
    for deadline in rows:
        remaining = max(0, round((deadline.due_at - now).total_seconds() / 60))
        entries.append(system_entry(
            deadline.incident_id, Event.DEADLINE_WARNING, clause=deadline.clause,
            note=said % {"kind": kinds[deadline.kind], "due": local_time(deadline.due_at),
                         "m": remaining},
            data={"deadline": deadline.pk}))
    TimelineEntry.objects.bulk_create(entries)


# --- the batches ------------------------------------------------------------------------------

def breach_batch(now: datetime, limit: int) -> list[int]:
    """Claim and record one batch of due rows, in one transaction; the ids breached."""
    with transaction.atomic():
        claimed = claim_due(now, limit)
        return record_breaches(claimed, now) if claimed else []


def warn_batch(now: datetime, limit: int) -> list[int]:
    with transaction.atomic():
        claimed = claim_warnings(now, limit)
        if claimed:
            _record_warnings(claimed, now)
    return claimed


def breach(deadline_id: int, *, now: datetime | None = None,
           fence: str | None = None) -> bool:
    """ETA fast path: claim one due pending row (still under `fence`, if given) and record it
    as a batch of one; False when there was nothing to claim."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = claim_due(now, 1, deadline_id=deadline_id, fence=fence)
        if claimed:
            record_breaches(claimed, now)
    return bool(claimed)


def warn(deadline_id: int, *, now: datetime | None = None) -> bool:
    """Record the plan's early warning for one pending row, once."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = _claim("warned_at = %s", [_db("warned_at", now)],
                         "state = %s AND warned_at IS NULL AND warn_at <= %s AND id = %s",
                         [PENDING, _db("warn_at", now), deadline_id], "warn_at", 1)
        if claimed:
            _record_warnings(claimed, now)
    return bool(claimed)


@dataclass
class SweepReport:
    breached: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)

    def __bool__(self):
        return bool(self.breached or self.warned)


def sweep(now: datetime | None = None, batch: int | None = None,
          budget: float | None = None) -> SweepReport:
    """Breaches, then warnings, then the ETA tasks of rows that came within the horizon, batch
    after batch until nothing is left or `budget` seconds (default SWEEP_BUDGET_INTERVALS ×
    DEADLINE_SWEEP_INTERVAL) are spent (each kind has at least one batch). A given `now` is
    used for every batch; without it each batch claims what is due when it starts, so rows
    falling due during a burst are taken too."""
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    stop_at = time.monotonic() + _budget(budget)
    report = SweepReport(breached=_batches(breach_batch, now, batch, stop_at),
                         warned=_batches(warn_batch, now, batch, stop_at))
    queue_upcoming(now or timezone.now(), batch, stop_at)
    return report


def fire(deadline_id: int, fence: str) -> bool:
    """The ETA task of one row: if the row is still due under its fence, an early sweep of the
    breaches (batch after batch, oldest due first, within the sweep's budget), so that rows
    falling due together are claimed together rather than one task each; its own row is
    breached by the end. True if this call breached the row; a row already breached, settled
    or recomputed (new fence) costs one query."""
    if not Deadline.objects.filter(pk=deadline_id, fence=fence, state=PENDING,
                                   due_at__lte=timezone.now()).exists():
        return False
    batch = settings.DEADLINE_SWEEP_BATCH
    breached = _batches(breach_batch, None, batch, time.monotonic() + _budget(None))
    return deadline_id in set(breached) or breach(deadline_id, fence=fence)


def _budget(budget: float | None) -> float:
    return settings.DEADLINE_SWEEP_INTERVAL * SWEEP_BUDGET_INTERVALS if budget is None \
        else budget


def _batches(claim, now: datetime | None, batch: int, stop_at: float) -> list[int]:
    """Run `claim` (breach_batch or warn_batch) until a batch comes back short or the time is
    up (the first batch always runs)."""
    claimed: list[int] = []
    while True:
        taken = claim(now or timezone.now(), batch)
        claimed.extend(taken)
        if len(taken) < batch or time.monotonic() >= stop_at:
            return claimed


def queue_upcoming(now: datetime, batch: int, stop_at: float | None = None) -> int:
    """Queue ETA tasks for rows that came within the horizon since they were opened, so that
    deadlines far ahead also fire within milliseconds rather than a sweep interval. A claim
    stamps eta_queued_at on a batch; after it commits, ONE task is published per
    ETA_WINDOW_SECONDS of due times, that of the row due last in the window: its early sweep
    (fire) claims the window's rows together. A burst of N rows falling due in one second
    thus queues about ten tasks, not N, which Celery's timer would fire ten a tick. Batch
    after batch until none is left or `stop_at` (monotonic) has passed."""
    queued = 0
    while True:
        with transaction.atomic():
            claimed = _claim(
                "eta_queued_at = %s", [_db("eta_queued_at", now)],
                "state = %s AND eta_queued_at IS NULL AND due_at > %s AND due_at <= %s",
                [PENDING, _db("due_at", now), _db("due_at", now + eta_horizon())], "due_at",
                batch, lock_incidents=False)
            if claimed:
                rows = last_of_each_window(Deadline.objects.filter(pk__in=claimed)
                                           .values_list("pk", "fence", "due_at"))
                transaction.on_commit(lambda rows=rows: _publish_fast_path(rows))
        queued += len(claimed)
        if len(claimed) < batch or stop_at is None or time.monotonic() >= stop_at:
            return queued


ETA_WINDOW_SECONDS = 0.1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def last_of_each_window(rows) -> list[tuple]:
    """(pk, fence, due_at) rows → the one due last in each ETA_WINDOW_SECONDS of due times."""
    width, last = timedelta(seconds=ETA_WINDOW_SECONDS), {}
    for row in rows:
        window = (row[2] - _EPOCH) // width
        if window not in last or row[2] >= last[window][2]:
            last[window] = row
    return sorted(last.values(), key=lambda row: row[2])


def _publish_fast_path(rows: list[tuple]) -> None:
    from .tasks import fire_deadline

    for deadline_id, fence, due_at in rows:
        try:
            fire_deadline.apply_async((deadline_id, str(fence)), eta=due_at, retry=False)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the sweep
            logger.warning("could not queue ETA tasks; the sweep will fire the rows",
                           exc_info=True)
            return
