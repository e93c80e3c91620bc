from celery import shared_task

from . import findings, heads


@shared_task
def refresh_incident_findings(incident_ids: list[int]) -> int:
    return findings.refresh_findings(incident_ids)


@shared_task
def record_chain_heads() -> int:
    return len(heads.record_heads())
