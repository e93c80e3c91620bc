"""Which roles of the plan (organisation.roles) may do what in the audit (C20, C21): the
auditor confirms or dismisses findings and fills the review record; the leadership group,
which runs the review, marks false reports, commends and adopts proposed plan changes; the
office reads the figures."""
from organisation import roles

AUDIT_ROLE_PERMISSIONS = {
    # Read-only on the incidents; the audit's own records: decisions and the review's draft.
    roles.AUDITOR: ["view_audit", "decide_finding", "record_review"],
    roles.LEADERSHIP_MEMBER: ["view_audit", "mark_false_report", "commend", "record_review",
                              "adopt_plan_change"],
    roles.OFFICE_STAFF: ["view_audit"],
}
