"""Celery tasks: thin wrappers that call the deadline sweep (queue `deadlines`)."""
from celery import shared_task

from . import sweep


@shared_task(ignore_result=True)
def sweep_deadlines() -> dict:
    """Run by beat every DEADLINE_SWEEP_INTERVAL seconds."""
    report = sweep.sweep()
    return {"breached": len(report.breached), "warned": len(report.warned)}


@shared_task(ignore_result=True)
def fire_deadline(deadline_id: int, fence: str) -> bool:
    """ETA fast path: at its due time, if it is still the same obligation, breach this deadline
    and whatever else is due with it (an early sweep: a burst is claimed in batches)."""
    return sweep.fire(deadline_id, fence)
