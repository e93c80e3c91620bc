"""Celery tasks: thin wrappers that call notifications.delivery."""
from celery import shared_task

from . import delivery


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
