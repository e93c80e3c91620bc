"""The verbs of the plan: the only code that changes an incident.

One module per noun (detection, reporting, judgement, closing, ownership); every verb runs in
one step context (incidents.actions.step). Views, the API, the admin, commands and tasks all
call these functions, by way of the registry in incidents.verbs where a person acts.
"""
from .closing import (dismiss_incident, file_summary, involved_units, merge_incident,
                      respond_incident, review_incident)
from .detection import detect_incident
from .judgement import (classify_incident, lower_severity, mark_spreading, record_metrics,
                        upgrade_severity)
from .ownership import adopt_plan_version, change_owner
from .playbook import complete_playbook_step
from .tracking import assign_tracker, check_tracking, resolve_incident
from .reporting import (file_follow_up_report, file_written_report, record_verbal_report,
                        report_incident, report_to_superior)
from .step import Step, StepContext, step_context

__all__ = [
    "Step", "StepContext", "adopt_plan_version", "change_owner", "classify_incident",
    "complete_playbook_step", "assign_tracker", "check_tracking", "resolve_incident",
    "lower_severity",
    "detect_incident", "dismiss_incident", "file_follow_up_report", "file_summary",
    "involved_units",
    "file_written_report", "mark_spreading", "merge_incident", "record_metrics", "record_verbal_report",
    "report_incident", "report_to_superior", "respond_incident", "review_incident",
    "step_context", "upgrade_severity",
]
