"""Ownership: one owner unit and one accountable leader at any time (C23), and the plan version
an open incident is held to."""
from django.utils.translation import gettext as _

from opinion_ops.errors import InvalidInput
from organisation.models import Person, Unit
from plans.models import ResponsePlan

from .. import deadlines
from ..models import Event, Incident
from .step import Step, step_context


def change_owner(incident: Incident, actor, *, unit: Unit | None = None,
                 leader: Person | None = None, reason: str,
                 expected_revision: int | None = None) -> Incident:
    """C23: one owner unit and one accountable leader at any time; each change on the record."""
    if not reason:
        raise InvalidInput({"reason": _("请说明变更理由")})
    if unit is None and leader is None:
        raise InvalidInput({"owner_unit": _("请指定新的责任单位或责任领导")})
    with step_context(incident, actor, "reassign", Step(note=reason),
                      expected_revision=expected_revision, open_only=False) as s:
        locked, changes = s.incident, []
        if unit is not None and unit.pk != locked.owner_unit_id:
            changes.append((Event.OWNER_CHANGED, locked.owner_unit.name, unit.name))
            locked.owner_unit = unit
        if leader is not None and leader.pk != locked.accountable_leader_id:
            changes.append((Event.LEADER_CHANGED, locked.accountable_leader.name, leader.name))
            locked.accountable_leader = leader
        if not changes:
            raise InvalidInput({"owner_unit": _("与当前责任单位和责任领导相同")})
        for event, old, new in changes:
            s.record(event, clause="C23", data={"from": old, "to": new})
    return s.incident


def adopt_plan_version(incident: Incident, actor, *, plan: ResponsePlan, reason: str,
                       expected_revision: int | None = None) -> Incident:
    """Move an open incident onto a newer version of its plan; pending deadlines are
    recomputed under the new rules, on the timeline. Without this, an incident keeps the plan
    version it started with."""
    if not plan.is_published:
        raise InvalidInput({"plan": _("只能采用已发布的预案版本")})
    if not reason:
        raise InvalidInput({"reason": _("请说明理由")})
    with step_context(incident, actor, "adopt-plan", Step(note=reason),
                      expected_revision=expected_revision) as s:
        if plan.pk == s.incident.plan_id:
            raise InvalidInput({"plan": _("事件已适用该预案版本")})
        old = s.incident.plan
        s.incident.plan = plan
        s.record(Event.NOTE, note=_("适用预案由 %(old)s 改为 %(new)s：%(reason)s")
                 % {"old": old, "new": plan, "reason": reason},
                 data={"plan_from": old.pk, "plan_to": plan.pk})
        deadlines.recompute_pending(s.incident, reason=reason, actor=actor)
    return s.incident
