"""What the plan asks of an incident before it may be marked responded (C10a, C16, C17), for
stories whose subject is something else: the approved unified reply of a general incident, or
for a major one a press release approved by the leadership group and published by the
spokesperson it designated (after the emergency meeting, C14). Every step goes through the
actions, so each is on the timeline as in a real story."""
from django.contrib.auth.models import Group
from django.utils import timezone

from incidents.actions import Step
from incidents.models import Channel
from organisation import roles
from organisation.models import Person
from responses import actions, meetings, press, procedure
from tests.factories import person_with_role


def department_head(unit) -> Person:
    head = Person.objects.filter(unit=unit, user__groups__name=roles.DEPARTMENT_HEAD).first()
    if head is None:
        head = person_with_role(roles.DEPARTMENT_HEAD, unit, "部门负责人", f"head-{unit.pk}")
        # The access policy scopes a unit's people by the handler role; the head holds it too.
        head.user.groups.add(Group.objects.get(name=roles.DEPARTMENT_HANDLER))
    return head


def answer_approved(org, incident, *, body: str = "经核查，现将有关情况答复如下。") -> None:
    incident.refresh_from_db()
    if not incident.is_major:
        draft = actions.create_draft(incident, org.staff.user, kind="unified_reply", body=body)
        actions.approve_draft(draft, department_head(incident.owner_unit).user)
        return
    if press.spokesperson_of(incident) is None:
        hold_major_procedure(org, incident)
    draft = actions.create_draft(incident, org.staff.user, kind="press_release", body=body)
    actions.approve_draft(draft, org.leader.user)
    actions.publish_draft(draft, org.spokesperson.user, where="官方微博",
                          url="https://weibo.com/official/1")


def hold_major_procedure(org, incident) -> None:
    """C14: the office reports to the leadership group and orders the involved unit to
    investigate; the leadership group meets and designates the spokesperson, now."""
    procedure.report_to_leadership(incident, org.staff.user, step=Step(
        channel=Channel.PHONE, recipient="领导小组 王组长", note="报告重大舆情"))
    procedure.order_investigation(incident, org.staff.user, unit=None,
                                  step=Step(note="核实事实并报告"))
    meetings.hold_meeting(incident, org.staff.user, kind="emergency", held_at=timezone.now(),
                          attendees=[org.leader, org.staff], agenda="研究处置",
                          decisions="成立新闻发布组，发布情况通报")
    press.designate_spokesperson(incident, org.leader.user, person=org.spokesperson)
