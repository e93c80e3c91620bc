"""Domain events: the core says what happened, the consumers decide what follows.

`incidents` publishes (`incident_reported`, `deadlines_breached`, …) and imports no consumer;
`notifications` and `briefings` subscribe in their AppConfig.ready(). Two phases:

- RECORD handlers run inside the publishing transaction, for rows that must stand or fall with
  the change (the escalation a breach starts and its first notice: a crash after the commit must
  not lose them). They write rows only: no network, no task queueing.
- COMMIT handlers run after the transaction commits (`transaction.on_commit`), for what may be
  late or repeated but must not run for a change that was rolled back: queueing deliveries,
  rendering documents. A lost commit handler is recovered by its consumer's sweep.

Payloads are plain values (ids, ISO times), so a handler can hand them to a Celery task as is.
"""
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

RECORD = "record"
COMMIT = "commit"

# The events the core publishes; publishing an unknown name is a programming error.
INCIDENT_DETECTED = "incident_detected"
INCIDENT_REPORTED = "incident_reported"
SEVERITY_RAISED = "severity_raised"
DEADLINES_BREACHED = "deadlines_breached"
DEADLINES_MET = "deadlines_met"
BRIEFING_REQUESTED = "briefing_requested"
# Published by intake: a lead's triage window was breached (level 1) or its ladder climbed.
LEAD_TRIAGE_ESCALATED = "lead_triage_escalated"
REFERRAL_ISSUED = "referral_issued"  # referrals: a slip was issued (C11)
NAMES = {INCIDENT_DETECTED, INCIDENT_REPORTED, SEVERITY_RAISED, DEADLINES_BREACHED,
         DEADLINES_MET, BRIEFING_REQUESTED, LEAD_TRIAGE_ESCALATED, REFERRAL_ISSUED}

_handlers: dict[str, dict[str, list[Callable]]] = defaultdict(lambda: {RECORD: [], COMMIT: []})


def subscribe(name: str, *, phase: str = COMMIT):
    """Decorator: call the function with the event's payload (keyword arguments)."""
    if name not in NAMES:
        raise ValueError(f"unknown event {name!r}")
    if phase not in (RECORD, COMMIT):
        raise ValueError(f"unknown phase {phase!r}")

    def register(handler: Callable) -> Callable:
        if handler not in _handlers[name][phase]:
            _handlers[name][phase].append(handler)
        return handler

    return register


def publish(name: str, **payload) -> None:
    """Run the RECORD handlers now and queue the COMMIT handlers for after the commit."""
    if name not in NAMES:
        raise ValueError(f"unknown event {name!r}")
    handlers = _handlers[name]
    for handler in list(handlers[RECORD]):
        handler(**payload)
    for handler in list(handlers[COMMIT]):
        transaction.on_commit(lambda handler=handler: handler(**payload))


def handlers(name: str, phase: str) -> list[Callable]:
    """The registered handlers (for tests and for `manage.py` diagnostics)."""
    return list(_handlers[name][phase])
