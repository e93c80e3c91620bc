"""The audit hears of breaches and fulfilments and refreshes the findings of their incidents
after the commit (late, missed and recorded-late findings follow the deadline rows)."""
import logging

from opinion_ops import events

from incidents.models import Deadline

logger = logging.getLogger(__name__)


def _queue_refresh(deadline_ids: list[int], incident_ids: list[int] | None = None,
                   **_payload) -> None:
    from .tasks import refresh_incident_findings

    if incident_ids is None:  # the sweep names them; other publishers may not
        incident_ids = sorted(set(Deadline.objects.filter(pk__in=deadline_ids)
                                  .values_list("incident_id", flat=True)))
    if not incident_ids:
        return
    try:
        refresh_incident_findings.apply_async((incident_ids,), retry=False)
    except Exception:  # noqa: BLE001 - a broker outage must not fail the step; refresh_findings
        logger.warning("could not queue the findings refresh of %s", incident_ids, exc_info=True)


events.subscribe(events.DEADLINES_BREACHED, phase=events.COMMIT)(_queue_refresh)
events.subscribe(events.DEADLINES_MET, phase=events.COMMIT)(_queue_refresh)
