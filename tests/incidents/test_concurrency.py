"""Two people act on one incident at the same moment, on two database connections."""
import threading

import pytest
from django.db import connection, connections

from incidents import actions
from opinion_ops.errors import StaleRevision, TransitionNotAllowed
from incidents.models import Channel, Event, Incident, State
from tests.incidents.helpers import detect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_c24_concurrent_reports_one_wins_the_other_is_refused_and_timeline_has_one_entry(org):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    incident = detect(org)
    barrier = threading.Barrier(2)
    outcomes = []

    def report_as(user, recipient):
        try:
            stale = Incident.objects.get(pk=incident.pk)
            barrier.wait()
            actions.report_incident(stale, user, actions.Step(
                channel=Channel.PHONE, recipient=recipient), expected_revision=stale.revision)
            outcomes.append("won")
        except (TransitionNotAllowed, StaleRevision) as refused:
            outcomes.append(type(refused).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report_as, args=(org.duty.user, "舆情办 A")),
               threading.Thread(target=report_as, args=(org.staff.user, "舆情办 B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["StaleRevision", "won"]
    incident.refresh_from_db()
    assert incident.state == State.REPORTED and incident.revision == 2
    assert incident.timeline.filter(event=Event.REPORTED).count() == 1
