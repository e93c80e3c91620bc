"""The stack end to end: an action's on-commit task is run by a real Celery worker process."""
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import actions
from incidents.models import Deadline, Escalation, Event, TimelineEntry
from plans.models import DeadlineKind
from tests.factories import incident_kwargs

pytestmark = pytest.mark.integration


def test_c02_verbal_report_deadline_fires_from_real_worker_eta_task(org, worker, wait_until):
    """C02: an urgent incident must be reported by phone within 30 minutes of discovery.

    Discovered 29 min 55 s ago, its verbal-report deadline falls due in about 5 s; detecting it
    queues an ETA task on commit. With a worker and no beat, that task alone breaches the row,
    writes one timeline entry and starts one escalation.
    """
    discovered = timezone.now() - timedelta(minutes=29, seconds=55)
    incident = actions.detect_incident(
        org.duty.user, **incident_kwargs(discovered_at=discovered, urgent=True))
    verbal = Deadline.objects.get(incident=incident, kind=DeadlineKind.VERBAL_REPORT)
    assert verbal.clause == "C02"
    assert verbal.state == Deadline.State.PENDING
    assert verbal.due_at == discovered + timedelta(minutes=30)

    wait_until(lambda: Deadline.objects.filter(pk=verbal.pk, state=Deadline.State.BREACHED)
               .exists(), timeout=60, message="the verbal-report deadline was not breached")

    verbal.refresh_from_db()
    assert verbal.breached_at >= verbal.due_at
    breaches = TimelineEntry.objects.filter(incident=incident, event=Event.DEADLINE_BREACHED)
    assert [entry.data["deadline"] for entry in breaches] == [verbal.pk]
    assert Escalation.objects.filter(deadline=verbal).count() == 1
    # The other obligations are not due yet and stay pending.
    assert set(Deadline.objects.filter(incident=incident).exclude(pk=verbal.pk)
               .values_list("state", flat=True)) == {Deadline.State.PENDING}
