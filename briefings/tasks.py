"""Celery tasks: thin wrappers around briefings.generation."""
from celery import shared_task

from . import generation


@shared_task(ignore_result=True)
def generate_briefing_task(briefing_id: int) -> str:
    """Render one queued briefing; a repeated delivery finds it done and does nothing."""
    return generation.generate_briefing(briefing_id).status
