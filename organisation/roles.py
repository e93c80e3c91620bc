"""The roles of an office's emergency plan, as Django groups with permissions.

The groups are created by a data migration; this module is the single list of which role may
do which verb, so the migration, the demo and the tests agree.
"""
from django.utils.translation import gettext_lazy as _

DUTY_OFFICER = "duty_officer"
OFFICE_STAFF = "office_staff"
DEPARTMENT_HANDLER = "department_handler"
LEADERSHIP_MEMBER = "leadership_member"
SPOKESPERSON = "spokesperson"
DEPARTMENT_HEAD = "department_head"  # approves its unit's replies (C10a); group from responses
AUDITOR = "auditor"

ROLE_LABELS = {
    DUTY_OFFICER: _("值班员/监测员"),
    OFFICE_STAFF: _("舆情办工作人员"),
    DEPARTMENT_HANDLER: _("部门承办人"),
    LEADERSHIP_MEMBER: _("领导小组成员"),
    SPOKESPERSON: _("新闻发言人"),
    DEPARTMENT_HEAD: _("部门负责人"),
    AUDITOR: _("审计/复盘人员"),
}

# Custom permissions on Incident (codename → label); each transition names one.
INCIDENT_PERMISSIONS = [
    ("detect_incident", "Can log a detected incident"),
    ("report_incident", "Can report an incident to the office"),
    ("classify_incident", "Can classify an incident"),
    ("respond_incident", "Can record the public response"),
    ("review_incident", "Can run the post-incident review"),
    ("dismiss_incident", "Can dismiss an incident"),
    ("merge_incident", "Can merge duplicate incidents"),
    ("reassign_incident", "Can change owner unit or accountable leader"),
    ("record_verbal_report", "Can record a verbal (phone) report"),
    ("update_incident_facts", "Can record metrics and facts"),
]

ROLE_PERMISSIONS = {
    DUTY_OFFICER: [
        "detect_incident", "report_incident", "record_verbal_report", "update_incident_facts",
    ],
    OFFICE_STAFF: [
        "detect_incident", "report_incident", "record_verbal_report", "classify_incident",
        "respond_incident", "dismiss_incident", "merge_incident", "reassign_incident",
        "update_incident_facts",
    ],
    DEPARTMENT_HANDLER: ["respond_incident", "update_incident_facts"],
    LEADERSHIP_MEMBER: [
        "classify_incident", "respond_incident", "review_incident", "dismiss_incident",
        "reassign_incident",
    ],
    SPOKESPERSON: ["respond_incident"],
    DEPARTMENT_HEAD: ["respond_incident", "update_incident_facts"],
    # Read-only across the organisation (issue 13): auditors see every incident and keep the
    # audit's own records (audit.roles); the review itself is the leadership group's (C20).
    AUDITOR: [],
}
