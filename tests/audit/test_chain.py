"""C24: every timeline entry and every deadline and escalation history row is a link of its
incident's hash chain; a row changed, removed or forged behind the application's back breaks
it, and verify_audit names the first broken entry."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit.heads import record_heads
from audit.verify import verify
from incidents.models import (DeadlineChange, EscalationChange, Event, RecordChain,
                              TimelineEntry)
from tests.audit.stories import T, at, detect, minutes, report
from tests.audit.tampering import bypass_triggers, raw
from tests.support.sweeping import sweep_all

pytestmark = pytest.mark.django_db


def history(org):
    """Detected, its report missed and escalated, then filed late: all three tables."""
    incident = detect(org)
    with at(T + minutes(121)):
        sweep_all()
    report(org, incident, T + minutes(130))
    return incident


def links(incident):
    rows = [*TimelineEntry.objects.filter(incident=incident),
            *DeadlineChange.objects.filter(deadline__incident=incident),
            *EscalationChange.objects.filter(escalation__deadline__incident=incident)]
    return sorted(rows, key=lambda row: row.chain_index)


def test_c24_every_record_row_is_a_link_of_its_incidents_chain(org):
    incident = history(org)
    rows = links(incident)
    assert {type(r) for r in rows} == {TimelineEntry, DeadlineChange, EscalationChange}
    assert [r.chain_index for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:]))
    head = RecordChain.objects.get(incident=incident)
    assert (head.length, head.head_hash) == (len(rows), rows[-1].hash)
    report_ = verify()
    assert report_.ok and report_.links == len(rows)


def test_c24_verify_audit_names_the_first_broken_entry_after_a_raw_update(org):
    incident = history(org)
    victim = TimelineEntry.objects.get(incident=incident, event=Event.REPORTED)
    bypass_triggers("incidents_timelineentry")
    assert raw("UPDATE incidents_timelineentry SET occurred_at = %s WHERE id = %s",
               [T + minutes(30), victim.pk]) == 1
    with pytest.raises(CommandError) as refused:
        call_command("verify_audit")
    assert f"timeline entry {victim.pk}" in str(refused.value)
    assert f"link {victim.chain_index}" in str(refused.value)
    assert "内容与哈希不符" in str(refused.value)


def test_c24_a_deleted_history_row_breaks_the_chain_at_the_row_after_it(org):
    incident = history(org)
    rows = links(incident)
    removed = next(r for r in rows[1:-1] if isinstance(r, DeadlineChange))
    after = rows[removed.chain_index]  # the link that followed it
    bypass_triggers("incidents_deadlinechange")
    assert raw("DELETE FROM incidents_deadlinechange WHERE id = %s", [removed.pk]) == 1
    result = verify([incident.pk])
    assert not result.ok
    assert result.breaks[0].position == removed.chain_index
    assert result.breaks[0].link.endswith(f" {after.pk}")


def test_c24_a_forged_back_dated_insert_is_named(org):
    incident = history(org)
    rows = links(incident)
    # A report "made" 20 minutes after discovery, slipped in as the last link with a made-up
    # hash: whoever forges it does not have the chain key.
    raw("INSERT INTO incidents_timelineentry (incident_id, recorded_at, occurred_at, actor_name,"
        " event, from_state, to_state, channel, recipient, clause, note, data, recorded_late,"
        " late_reason, chain_index, prev_hash, hash) VALUES (%s, %s, %s, 'x', 'reported', '',"
        " '', 'phone', '舆情办', 'C01', '', '{}', %s, '', %s, %s, %s)",
        [incident.pk, T + minutes(20), T + minutes(20), False, len(rows) + 1, rows[-1].hash,
         "0" * 64])
    forged = TimelineEntry.objects.filter(incident=incident).order_by("-id").first()
    with pytest.raises(CommandError) as refused:
        call_command("verify_audit", "--incident", str(incident.pk))
    assert f"timeline entry {forged.pk}" in str(refused.value)


def test_c24_a_cut_tail_with_its_head_rewritten_is_found_by_the_recorded_head(org):
    incident = history(org)
    record_heads()
    rows = links(incident)
    last = rows[-1]
    table = last._meta.db_table
    bypass_triggers(table)
    raw(f"DELETE FROM {table} WHERE id = %s", [last.pk])
    raw("UPDATE incidents_recordchain SET length = %s, head_hash = %s WHERE incident_id = %s",
        [len(rows) - 1, rows[-2].hash, incident.pk])
    result = verify([incident.pk])
    assert not result.ok
    assert result.breaks[0].position == len(rows)
    assert "链头快照" in result.breaks[0].problem


def test_c24_verify_audit_is_green_on_an_untouched_record(org, capsys):
    history(org)
    detect(org, T + minutes(5), title="另一事件")
    call_command("verify_audit")
    assert "OK: 2 chains" in capsys.readouterr().out


def test_c24_verify_audit_checks_only_the_incident_asked_for(org):
    broken, intact = history(org), detect(org, T + minutes(5), title="另一事件")
    bypass_triggers("incidents_timelineentry")
    raw("UPDATE incidents_timelineentry SET note = 'x' WHERE incident_id = %s", [broken.pk])
    call_command("verify_audit", "--incident", str(intact.pk))
    with pytest.raises(CommandError):
        call_command("verify_audit", "--incident", str(broken.pk))
    with pytest.raises(CommandError, match="no incident 999"):
        call_command("verify_audit", "--incident", "999")


def test_c24_a_batch_insert_is_chained_per_incident_in_one_lock(org, django_assert_max_num_queries):
    first, second = detect(org), detect(org, T + minutes(1), title="另一事件")
    before = {i.pk: RecordChain.objects.get(incident=i).length for i in (first, second)}
    with at(T + minutes(3)):
        batch = [TimelineEntry(incident=incident, event=Event.NOTE, actor_name="系统",
                               note=f"批量 {n}")
                 for n in range(3) for incident in (first, second)]
        # savepoint, lock the heads, move them, insert, release: not one query per row
        with transaction.atomic(), django_assert_max_num_queries(5):
            TimelineEntry.objects.bulk_create(batch)
    for incident in (first, second):
        mine = [e for e in batch if e.incident_id == incident.pk]
        assert [e.chain_index for e in mine] == [before[incident.pk] + n for n in (1, 2, 3)]
    assert verify().ok
