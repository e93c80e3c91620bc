"""What notifications does when the incident core publishes an event (opinion_ops.events).

Connected in NotificationsConfig.ready(). RECORD handlers write the ladder's rows in the
publishing transaction; COMMIT handlers only queue tasks on the deliveries queue.
"""
import logging

from kombu.exceptions import OperationalError as BrokerError

from opinion_ops import events

from . import ladder, tasks
from . import dispatch  # after ladder: delivery and ladder import each other
from .models import NotifyEvent

logger = logging.getLogger(__name__)


@events.subscribe(events.DEADLINES_BREACHED, phase=events.RECORD)
def start_ladders(deadline_ids, at, **_):
    ladder.start_escalations(deadline_ids, at)


@events.subscribe(events.DEADLINES_MET, phase=events.RECORD)
def stop_ladders(deadline_ids, **_):
    ladder.resolve_for_met_deadlines(deadline_ids)


@events.subscribe(events.LEAD_TRIAGE_ESCALATED, phase=events.RECORD)
def tell_lead_triage_rung(triage_id, level, **_):
    # In the breaching transaction, as the incidents' first notice is: the rung's notification
    # and its delivery rows stand or fall with the breach; the sends are queued on commit.
    dispatch.lead_triage_escalated(triage_id, level)


@events.subscribe(events.INCIDENT_REPORTED)
def announce_report(incident_id, **_):
    _queue_announcement(incident_id, NotifyEvent.REPORTED)  # C01: related departments too


@events.subscribe(events.SEVERITY_RAISED)
def announce_major(incident_id, major, **_):
    if major:
        _queue_announcement(incident_id, NotifyEvent.MAJOR)  # C04/C14


def _queue_announcement(incident_id: int, event: str) -> None:
    try:
        tasks.announce_incident_event.apply_async((incident_id, event), retry=False)
    except BrokerError:
        logger.warning("could not queue the %s announcement of incident %s", event,
                       incident_id, exc_info=True)
