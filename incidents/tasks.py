"""Celery tasks: thin wrappers that call the deadline sweep."""
from celery import shared_task

from . import sweep


@shared_task(ignore_result=True)
def sweep_deadlines() -> dict:
    """Run by beat every DEADLINE_SWEEP_INTERVAL seconds."""
    report = sweep.sweep()
    return {"breached": len(report.breached), "warned": len(report.warned)}


@shared_task(ignore_result=True)
def fire_deadline(deadline_id: int, fence: str) -> bool:
    """ETA fast path: fire one deadline at its due time if it is still the same obligation."""
    return sweep.breach(deadline_id, fence=fence)
