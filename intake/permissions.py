"""Which role may do what with leads (granted to the role groups by migration 0002)."""
from organisation import roles

LEAD_ROLE_PERMISSIONS = {
    roles.DUTY_OFFICER: ["view_lead", "triage_lead"],
    roles.OFFICE_STAFF: ["view_lead", "triage_lead", "view_intakesource", "view_push"],
    roles.DEPARTMENT_HANDLER: ["view_lead"],
    roles.LEADERSHIP_MEMBER: ["view_lead"],
    roles.AUDITOR: ["view_lead", "view_push"],
}
