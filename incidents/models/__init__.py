from .choices import Audience, Category, Channel, DeadlineKind, Severity, Stage, WindowAnchor, WindowUnit
from .deadline import Deadline, Escalation, EscalationNotice
from .idempotency import IdempotencyKey
from .incident import OPEN_STATES, Incident, State
from .metrics import MetricSnapshot
from .organisation import Person, Unit
from .plan import DeadlineRule, EscalationStep, OfficeClosure, ResponsePlan
from .timeline import AppendOnlyError, Event, TimelineEntry

__all__ = [
    "AppendOnlyError", "Audience", "Category", "Channel", "Deadline", "DeadlineKind",
    "DeadlineRule", "Escalation", "EscalationNotice", "EscalationStep", "Event",
    "IdempotencyKey", "Incident", "MetricSnapshot", "OPEN_STATES", "OfficeClosure", "Person",
    "ResponsePlan", "Severity", "Stage", "State", "TimelineEntry", "Unit", "WindowAnchor",
    "WindowUnit",
]
