"""Sealing the record into one hash chain per incident (C24).

Every timeline entry, deadline change and escalation change is a link of its incident's chain:
`chain_index` (1, 2, 3 … across the three tables), `prev_hash` (the hash of link n-1, '' for
the first) and `hash` = HMAC-SHA256(AUDIT_CHAIN_KEY, the row's canonical content with its
index and prev_hash). A changed, removed or inserted row breaks the chain at that link; without
the key nobody, the database owner included, can compute a link that fits.

`seal(rows)` is the one function that writes the links. The chained models call it from
save() and from their queryset's bulk_create(), inside the inserting transaction, so
`record_event`, `append_change`, the ladder and the batch sweep all go through it without
calling it themselves. It locks the incidents' RecordChain rows (in incident order, so two
batches never wait on each other in a circle) and links a batch's rows per incident in the
order given: a sweep of 500 rows costs three queries more, not 500.

Lock order: a writer that claims deadline or escalation rows before inserting its history
rows should call `lock(incident_ids)` first, as step_context's incident lock does, so that it
never holds a claimed row while waiting for a chain that a step holding the chain waits on.
"""
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from . import bulk
from .models import (Deadline, DeadlineChange, Escalation, EscalationChange, RecordChain,
                     TimelineEntry)

# What each link's hash covers. Fixed lists, not "every field": a column added later must not
# change the hash of rows sealed before it existed. A new column joins here with a new version.
CHAINED_FIELDS = {
    "incidents.timelineentry": (
        "incident_id", "recorded_at", "occurred_at", "actor_id", "actor_name", "event",
        "from_state", "to_state", "channel", "recipient", "clause", "note", "data",
        "recorded_late", "late_reason"),
    "incidents.deadlinechange": (
        "deadline_id", "kind", "state", "recorded_at", "stated_at", "actor_id", "note"),
    "incidents.escalationchange": (
        "escalation_id", "state", "level", "recorded_at", "actor_id", "note"),
}
CHAINED_MODELS = (TimelineEntry, DeadlineChange, EscalationChange)
HASH_VERSION = "v1"


def label_of(row) -> str:
    return row._meta.label_lower


def _canonical(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def content_of(label: str, values: dict) -> list:
    """The row's covered values, in the fixed order of CHAINED_FIELDS."""
    return [_canonical(values.get(name)) for name in CHAINED_FIELDS[label]]


def link_hash(label: str, index: int, prev_hash: str, values: dict, *,
              key: bytes | None = None) -> str:
    """The hash of one link: its table, place, predecessor and covered content."""
    payload = json.dumps([HASH_VERSION, label, index, prev_hash, content_of(label, values)],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key or chain_key(), payload.encode(), hashlib.sha256).hexdigest()


def chain_key() -> bytes:
    return (getattr(settings, "AUDIT_CHAIN_KEY", "") or settings.SECRET_KEY).encode()


def row_values(row) -> dict:
    return {name: getattr(row, name) for name in CHAINED_FIELDS[label_of(row)]}


@dataclass
class Head:
    """A locked chain head as seal() moves it: plain values, not a model instance (a batch of
    500 heads moved through bulk_update cost ~0.5 s of Python building its CASE WHEN)."""

    incident_id: int
    length: int
    head_hash: str


def lock(incident_ids: Iterable[int]) -> dict[int, Head]:
    """Lock (creating where missing) the chain heads of these incidents, in incident order."""
    ids = sorted(set(incident_ids))
    if not ids:
        return {}
    heads = _locked_heads(ids)
    missing = [pk for pk in ids if pk not in heads]
    if missing and transaction.get_connection().vendor == "postgresql":
        heads.update(_created_heads(missing))
    elif missing:
        # A concurrent first append creates the same head; the loser's insert is a no-op and
        # its select then waits for the winner's lock.
        RecordChain.objects.bulk_create([RecordChain(incident_id=pk) for pk in missing],
                                        ignore_conflicts=True)
        heads.update(_locked_heads(missing))
    return heads


def _created_heads(ids: list[int]) -> dict[int, Head]:
    """Create and lock missing heads in one statement (PostgreSQL): a head a concurrent first
    append created meanwhile is not inserted again but updated to itself, which waits for
    and takes its row lock as FOR UPDATE does, and returns its current values. In incident
    order, like _locked_heads."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(RecordChain._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} AS c (incident_id, length, head_hash) "
                       f"SELECT i, 0, '' FROM unnest(%s::bigint[]) AS i ORDER BY i "
                       f"ON CONFLICT (incident_id) DO UPDATE SET length = c.length "
                       f"RETURNING incident_id, length, head_hash", [ids])
        found = cursor.fetchall()
    return {pk: Head(pk, length, head_hash) for pk, length, head_hash in found}


def _locked_heads(ids: list[int]) -> dict[int, Head]:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":  # one array parameter, not 500 to prepare and bind
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT incident_id, length, head_hash FROM "
                           f"{connection.ops.quote_name(RecordChain._meta.db_table)} "
                           f"WHERE incident_id = ANY(%s) ORDER BY incident_id FOR UPDATE", [ids])
            found = cursor.fetchall()
    else:
        found = (RecordChain.objects.select_for_update().filter(incident_id__in=ids)
                 .order_by("incident_id").values_list("incident_id", "length", "head_hash"))
    return {pk: Head(pk, length, head_hash) for pk, length, head_hash in found}


def _move(heads: list[Head]) -> None:
    """Write the heads' new length and hash: one statement on PostgreSQL (UPDATE … FROM
    unnest of three arrays), one executemany elsewhere."""
    if not heads:
        return
    connection = transaction.get_connection()
    table = connection.ops.quote_name(RecordChain._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS c SET length = v.length, head_hash = v.head_hash "
                f"FROM unnest(%s::bigint[], %s::integer[], %s::text[]) "
                f"AS v(incident_id, length, head_hash) WHERE c.incident_id = v.incident_id",
                [[h.incident_id for h in heads], [h.length for h in heads],
                 [h.head_hash for h in heads]])
        else:
            cursor.executemany(f"UPDATE {table} SET length = %s, head_hash = %s "
                               f"WHERE incident_id = %s",
                               [(h.length, h.head_hash, h.incident_id) for h in heads])


def seal(rows: list) -> None:
    """Give each unsaved chained row its link (index, prev_hash, hash), per incident, in the
    order given, and move the heads on. Must run in the transaction that inserts the rows."""
    rows = [row for row in rows if row is not None]
    if not rows:
        return
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("seal() needs the inserting transaction")
    incident_of = _incident_ids(rows)
    by_incident = defaultdict(list)
    for row in rows:
        by_incident[incident_of[id(row)]].append(row)
    heads = lock(by_incident)
    key = chain_key()
    for incident_id, links in by_incident.items():
        head = heads[incident_id]
        for row in links:
            row.chain_index = head.length + 1
            row.prev_hash = head.head_hash
            row.hash = link_hash(label_of(row), row.chain_index, row.prev_hash, row_values(row),
                                 key=key)
            head.length, head.head_hash = row.chain_index, row.hash
    _move(list(heads.values()))


def bulk_insert(*groups) -> None:
    """Insert groups of unsaved chained rows (each group one model, e.g. a batch's timeline
    entries and its history rows) with ONE seal: one lock of the heads and one move, not one
    per group. Links are given in the order of the groups, then of the rows."""
    groups = [list(group) for group in groups]
    # No savepoint of its own: a failure here dooms the enclosing transaction, heads included.
    with transaction.atomic(savepoint=False):
        seal([row for group in groups for row in group])
        for group in groups:
            bulk.insert(group)  # sealed above: under the queryset, which would seal again


def _incident_ids(rows: list) -> dict[int, int]:
    """id(row) → its incident's pk, with one query per kind of parent not already loaded."""
    found, deadline_ids, escalation_ids = {}, set(), set()
    for row in rows:
        if isinstance(row, TimelineEntry):
            found[id(row)] = row.incident_id
        elif isinstance(row, DeadlineChange):
            cached = row._state.fields_cache.get("deadline")
            if cached is not None:
                found[id(row)] = cached.incident_id
            else:
                deadline_ids.add(row.deadline_id)
        elif isinstance(row, EscalationChange):
            cached = row._state.fields_cache.get("escalation")
            deadline = cached._state.fields_cache.get("deadline") if cached else None
            if deadline is not None:
                found[id(row)] = deadline.incident_id
            else:
                escalation_ids.add(row.escalation_id)
        else:
            raise TypeError(f"{type(row).__name__} is not a chained record")
    of_deadline = dict(Deadline.objects.filter(pk__in=deadline_ids)
                       .values_list("pk", "incident_id")) if deadline_ids else {}
    of_escalation = dict(Escalation.objects.filter(pk__in=escalation_ids)
                         .values_list("pk", "deadline__incident_id")) if escalation_ids else {}
    for row in rows:
        if id(row) in found:
            continue
        if isinstance(row, DeadlineChange):
            found[id(row)] = of_deadline[row.deadline_id]
        else:
            found[id(row)] = of_escalation[row.escalation_id]
    return found


# --- SQLite: the record refuses DELETE too (C24) -------------------------------------------------
# SQLite has no roles, so its triggers refuse UPDATE and DELETE on the record tables outright.
# One exception: `manage.py flush` (tests between transactional cases, an operator wiping a
# whole database on purpose) empties every table with DELETE. The triggers ask
# opinionops_may_delete(), a function of this process's connections that says yes only while a
# flush runs here (audit's flush command); any other client — the sqlite3 shell, another
# program — has no such function and its DELETE fails, as does a DELETE from this process.
import threading  # noqa: E402
from contextlib import contextmanager  # noqa: E402

_wipe = threading.local()


@contextmanager
def whole_database_wipe():
    """While this runs, the record tables' SQLite triggers let DELETE through (flush only)."""
    _wipe.allowed = True
    try:
        yield
    finally:
        _wipe.allowed = False


def _may_delete() -> int:
    return 1 if getattr(_wipe, "allowed", False) else 0


def install_sqlite_functions(sender, connection, **kwargs):
    """connection_created receiver (connected in audit.apps)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("opinionops_may_delete", 0, _may_delete)
