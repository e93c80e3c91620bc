"""What referrals does when the core announces something: an overdue slip is supervised."""
from opinion_ops import events

from . import actions


def _supervise_overdue(*, deadline_ids, at, **_):
    # RECORD phase: the supervision obligation stands or falls with the breach that starts it.
    actions.supervise_overdue(deadline_ids, at)


def connect() -> None:
    events.subscribe(events.DEADLINES_BREACHED, phase=events.RECORD)(_supervise_overdue)
