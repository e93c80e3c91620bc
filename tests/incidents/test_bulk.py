"""incidents.bulk.insert: the sweep's and the ladder's batch inserts (one array per column on
PostgreSQL) store every column as bulk_create would and give each row its key."""
from django.db import transaction
from django.utils import timezone

from audit.verify import verify
from incidents import bulk, chain
from incidents.models import DeadlineChange, Event, TimelineEntry
from tests.incidents.helpers import detect


def test_insert_stores_every_column_and_sets_the_keys_in_order(org, django_assert_max_num_queries):
    incident = detect(org)
    now = timezone.now()
    rows = [TimelineEntry(incident=incident, event=Event.NOTE, actor_name="系统", note=f"第 {n} 条",
                          occurred_at=now, recorded_at=now, recipient="" if n else "某人",
                          data={"n": n, "nested": {"list": [n, None]}, "text": "引号\"'"},
                          chain_index=100 + n, prev_hash="p" * 64, hash=f"{n:064d}")
            for n in range(3)]
    with transaction.atomic(), django_assert_max_num_queries(1):
        bulk.insert(rows)
    assert all(row.pk and not row._state.adding for row in rows)
    for row in rows:
        stored = TimelineEntry.objects.get(pk=row.pk)
        assert (stored.note, stored.data, stored.recipient, stored.occurred_at, stored.hash,
                stored.chain_index, stored.actor_id) == (
            row.note, row.data, row.recipient, row.occurred_at, row.hash, row.chain_index, None)


def test_bulk_insert_chains_two_groups_in_one_seal(org, django_assert_max_num_queries):
    incident = detect(org)
    deadline = incident.deadlines.first()
    entries = [TimelineEntry(incident=incident, event=Event.NOTE, actor_name="系统", note="甲")]
    changes = [DeadlineChange(deadline=deadline, kind=DeadlineChange.Kind.BREACHED,
                              state=deadline.state, note="乙")]
    # lock the heads, move them, one insert per group
    with transaction.atomic(), django_assert_max_num_queries(4):
        chain.bulk_insert(entries, changes)
    assert changes[0].chain_index == entries[0].chain_index + 1
    assert changes[0].prev_hash == entries[0].hash
    assert verify().ok
