"""Celery tasks of intake: thin wrappers."""
from celery import shared_task

from . import triage


@shared_task(ignore_result=True)
def sweep_lead_triage() -> dict:
    """Run by beat: breach leads left untouched past the triage window, climb their ladders."""
    breached, climbed = triage.sweep()
    return {"breached": len(breached), "climbed": len(climbed)}
