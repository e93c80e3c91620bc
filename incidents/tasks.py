"""Celery tasks: thin wrappers that call the deadline sweep (queue `deadlines`)."""
import logging

from celery import shared_task
from celery.signals import worker_ready

from . import sweep

logger = logging.getLogger(__name__)
DEADLINES_QUEUE = "deadlines"


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


@worker_ready.connect
def sweep_on_ready(sender=None, **kwargs) -> None:
    """A deadlines worker that (re)starts sweeps at once: rows that fell due while it was down
    (a SIGKILL loses the ETA tasks it held until the broker's visibility timeout) are breached
    as soon as it can work, not at beat's next tick, whose sweeps expire while nobody runs
    them. Published, not run here: this is the consumer's process, which must go on
    consuming; the sweep is once-only, so a sweep beside beat's costs a query."""
    queues = getattr(getattr(sender, "app", None), "amqp", None)
    consumed = set(queues.queues.consume_from) if queues is not None else set()
    if DEADLINES_QUEUE not in consumed:
        return
    try:
        sweep_deadlines.apply_async(queue=DEADLINES_QUEUE, retry=False)
    except Exception:  # noqa: BLE001 - a broker outage must not stop the worker; beat sweeps
        logger.warning("could not queue the start-up sweep", exc_info=True)
