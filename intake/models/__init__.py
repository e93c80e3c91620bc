from .duty import DutyShift, WatchRule
from .leads import Lead, LeadEntry, LeadMetricSample
from .sources import IntakeSource, Push, SourceKind
from .triage import LeadTriage

__all__ = ["DutyShift", "IntakeSource", "Lead", "LeadEntry", "LeadMetricSample", "LeadTriage",
           "Push", "SourceKind", "WatchRule"]
