"""Celery tasks: thin wrappers that call notifications.delivery."""
from celery import shared_task

from . import delivery, dispatch, ladder


@shared_task(ignore_result=True)
def attempt_delivery(delivery_id: int, token: str) -> str:
    """Send one copy if it is still queued under the token it was queued with."""
    return delivery.attempt(delivery_id, token).value


@shared_task(ignore_result=True)
def sweep_deliveries() -> dict:
    """Run by beat (NOTIFICATION_SWEEP_INTERVAL): lost tasks, dead workers, unplanned rungs."""
    report = delivery.sweep()
    return {"planned": len(report.planned), "reclaimed": len(report.reclaimed),
            "queued": len(report.queued)}


@shared_task(ignore_result=True)
def plan_notice_deliveries(notice_ids: list[int]) -> int:
    """Plan the deliveries of ladder rungs just reached (deliveries queue)."""
    return sum(dispatch.notice_created(notice_id) is not None for notice_id in notice_ids)


@shared_task(ignore_result=True)
def announce_incident_event(incident_id: int, event: str) -> bool:
    """Tell the units the plan's notify rules name for this point of the procedure."""
    return dispatch.incident_event(incident_id, event) is not None


@shared_task(ignore_result=True)
def climb_ladders() -> int:
    """Run by beat with the deadline sweep: the next rung of unacknowledged ladders."""
    return len(ladder.climb_due())
