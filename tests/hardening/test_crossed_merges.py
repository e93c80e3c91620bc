"""Two office members merge A into B and B into A at the same moment, on two connections: one
wins, the other is refused (no deadlock, no 500), and no two incidents end up merged into each
other. Meaningful on PostgreSQL (row locks); on SQLite the write lock serialises them anyway."""
import threading

import pytest
from django.db import connections

from incidents import actions
from incidents.models import Incident, State
from opinion_ops.errors import ActionError, InvalidInput
from tests.hardening.helpers import post
from tests.incidents.helpers import detect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def crossed_merge(org, a: Incident, b: Incident) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes = []

    def merge(source_pk, target_pk):
        try:
            source, target = Incident.objects.get(pk=source_pk), Incident.objects.get(pk=target_pk)
            barrier.wait()
            actions.merge_incident(source, org.staff.user, actions.Step(note="重复"), into=target)
            outcomes.append("won")
        except ActionError as refused:
            outcomes.append(type(refused).__name__)
        except Exception as failure:  # a deadlock or anything else is what this test is about
            outcomes.append(f"error: {failure!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=merge, args=(a.pk, b.pk)),
               threading.Thread(target=merge, args=(b.pk, a.pk))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_crossed_merges_one_wins_no_cycle_no_error(org):
    for attempt in range(5):
        a = detect(org, title=f"重复事件 A{attempt}")
        b = detect(org, title=f"重复事件 B{attempt}")
        outcomes = crossed_merge(org, a, b)
        assert sorted(outcomes)[-1] == "won" and len(outcomes) == 2, outcomes
        assert not any(o.startswith("error") for o in outcomes), outcomes
        a.refresh_from_db()
        b.refresh_from_db()
        assert [a.merged_into_id == b.pk, b.merged_into_id == a.pk].count(True) == 1
        merged, kept = (a, b) if a.merged_into_id else (b, a)
        assert merged.state == State.MERGED and kept.is_open


def test_merging_into_an_incident_already_merged_here_is_a_400(org):
    a, b = detect(org), detect(org, title="另一事件")
    actions.merge_incident(a, org.staff.user, actions.Step(note="重复"), into=b)
    response = post(org.staff, f"/api/v1/incidents/{b.pk}/merge/", {"into": a.pk})
    assert response.status_code in (400, 409)
    b.refresh_from_db()
    assert b.merged_into_id is None


def test_a_target_whose_chain_leads_back_is_refused(org):
    a, b = detect(org), detect(org, title="另一事件")
    # A record from before the lock (an open incident that still names a merge target).
    Incident.objects.filter(pk=b.pk).update(merged_into=a)
    with pytest.raises(InvalidInput) as refused:
        actions.merge_incident(a, org.staff.user, actions.Step(note="重复"), into=b)
    assert "into" in refused.value.errors
