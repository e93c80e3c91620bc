"""Completing a step of the category's playbook (C10a–d)."""
from datetime import date

from django.utils.translation import gettext as _

from opinion_ops.errors import InvalidInput, NotPermitted
from organisation.actors import person_of
from organisation.models import Unit

from .. import playbooks
from ..models import Event, Incident
from .step import Step, step_context

VERB = "playbook-step"


def complete_playbook_step(incident: Incident, actor, *, position: int, step: Step = Step(),
                           body: str = "", reference: str = "",
                           referred_on: date | None = None,
                           expected_revision: int | None = None) -> Incident:
    """Record that a step of the playbook is done, meeting its deadline. A referral to the
    discipline, law-enforcement, supervisory or judicial body (C10b, C10c) names the body, the
    date and the reference number."""
    with step_context(incident, actor, VERB, step, expected_revision=expected_revision) as s:
        locked = s.incident
        item = next((i for i in playbooks.checklist(locked) if i.step.position == position),
                    None)
        if item is None or item.deadline is None:
            raise InvalidInput({"step": _("本事件的分类处置步骤中没有第 %s 步") % position})
        if item.done:
            raise InvalidInput({"step": _("该步骤已完成")})
        if item.step.verb != VERB:
            raise InvalidInput({"step": _("该步骤由“%s”操作完成") % item.step.verb})
        _require_owner(actor, item.owner)
        data = {"step": position, "title": item.step.title, "category": locked.category}
        if item.step.records_referral:
            errors = {}
            if not body.strip():
                errors["body"] = _("请填写移送机关")
            if not reference.strip():
                errors["reference"] = _("请填写移送文号")
            if referred_on is None:
                errors["referred_on"] = _("请填写移送日期")
            elif referred_on > s.now.date():
                errors["referred_on"] = _("移送日期不能晚于今天")
            if errors:
                raise InvalidInput(errors)
            data.update(body=body, reference=reference, referred_on=referred_on.isoformat())
        note = playbooks.describe(item.step)
        if item.step.records_referral:
            note += _("（移送%(body)s，%(day)s，文号 %(ref)s）") % {
                "body": body, "day": referred_on.isoformat(), "ref": reference}
        if s.stated.note:
            note += "：" + s.stated.note
        s.record(Event.PLAYBOOK_STEP_DONE, clause=item.step.clause, note=note, data=data)
        playbooks.meet_by_verb(locked, VERB, at=s.at, recorded_at=s.now, actor=s.actor,
                               position=position)
    return s.incident


def _require_owner(actor, owner: Unit) -> None:
    """The step's owner unit does it; the office may record any step."""
    if actor is None or actor.is_superuser:
        return
    person = person_of(actor)
    if person is None or (person.unit_id != owner.pk and person.unit.kind != Unit.Kind.OFFICE):
        raise NotPermitted(_("该步骤由%s负责") % owner.name)
