"""What referrals does when the core announces something: an overdue slip is supervised."""
from opinion_ops import events
from plans.models import DeadlineKind

from . import actions


def _supervise_overdue(*, deadline_ids, at, kinds=None, **_):
    # RECORD phase: the supervision obligation stands or falls with the breach that starts it.
    # A slip's reply obligation is a REFERRAL_REPLY row (_owe_reply): a batch without one has
    # no slip to supervise, and costs no query.
    if kinds is not None and DeadlineKind.REFERRAL_REPLY not in kinds:
        return
    actions.supervise_overdue(deadline_ids, at)


def connect() -> None:
    events.subscribe(events.DEADLINES_BREACHED, phase=events.RECORD)(_supervise_overdue)
