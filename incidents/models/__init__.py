from .chain import RecordChain
from .choices import Category, Channel, Severity, Stage
from .deadline import Deadline, DeadlineChange, Escalation, EscalationChange, EscalationNotice
from .idempotency import IdempotencyKey
from .incident import OPEN_STATES, Incident, State
from .metrics import MetricSnapshot
from .timeline import AppendOnlyError, Event, TimelineEntry

__all__ = [
    "AppendOnlyError", "Category", "Channel", "Deadline", "DeadlineChange", "Escalation",
    "EscalationChange", "EscalationNotice",
    "Event", "IdempotencyKey", "Incident", "MetricSnapshot", "OPEN_STATES", "Severity",
    "RecordChain", "Stage", "State", "TimelineEntry",
]
