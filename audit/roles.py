"""Which roles of the plan (organisation.roles) may do what in the audit (C20, C21): the
auditor confirms or dismisses findings; the leadership group, which runs the review, marks
false reports and commends; the office reads the figures."""
from organisation import roles

AUDIT_ROLE_PERMISSIONS = {
    roles.AUDITOR: ["view_audit", "decide_finding"],
    roles.LEADERSHIP_MEMBER: ["view_audit", "mark_false_report", "commend"],
    roles.OFFICE_STAFF: ["view_audit"],
}
