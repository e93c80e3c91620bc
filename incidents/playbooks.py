"""Playbooks (C10a–d): the steps a content category calls for, as obligations.

The steps are plan data (plans.PlaybookStep). Classifying an incident into a category opens one
deadline per step of the incident's plan version, each with the step's own window and owner;
the row's sequence is the step's position, so a row names its step. The verb a step names meets
it (incidents.actions.step calls `meet_by_verb` for every verb); the sweep breaches and
escalates a step like any deadline.
"""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils.translation import gettext as _

from organisation.models import Unit
from plans.models import DeadlineKind, PlaybookStep, StepOwner
from plans.windows import due_after

from . import deadlines
from .models import Deadline, Event, Incident
from .timeline import record_event


# The name a step gives when the unified reply's approval meets it (C10a), not a registry verb.
UNIFIED_REPLY = "unified-reply"


def steps_for(incident: Incident, category: str | None = None) -> list[PlaybookStep]:
    category = category or incident.category
    return list(PlaybookStep.objects.filter(plan=incident.plan, category=category)
                .order_by("position"))


def owner_unit(incident: Incident, step: PlaybookStep) -> Unit:
    kind = {StepOwner.OFFICE: Unit.Kind.OFFICE, StepOwner.PRESS_GROUP: Unit.Kind.PRESS}.get(
        step.owner)
    if kind is None:
        return incident.owner_unit
    return Unit.objects.filter(kind=kind).order_by("id").first() or incident.owner_unit


def open_steps(incident: Incident, category: str, *, start: datetime, actor=None
               ) -> list[Deadline]:
    """Open the category's steps once: an incident already holding playbook rows keeps them."""
    if incident.deadlines.filter(kind=DeadlineKind.PLAYBOOK_STEP).exists():
        return []
    opened = []
    for step in steps_for(incident, category):
        if step.only_if_continuing:  # C10b: opened if it continues (open_if_continuing)
            continue
        row = _open_step(incident, step, start, actor)
        if row is None:  # the plan has no playbook rule: it asks for no steps
            return opened
        opened.append(row)
    return opened


def open_if_continuing(incident: Incident, *, start: datetime, actor=None) -> list[Deadline]:
    """C10b: the incident goes on (a hotter snapshot, a spreading mark): the category's steps
    kept for that case open now, once each."""
    if not incident.category:
        return []
    held = set(incident.deadlines.filter(kind=DeadlineKind.PLAYBOOK_STEP)
               .values_list("sequence", flat=True))
    if not held:  # the steps were never opened (not classified under a playbook)
        return []
    opened = []
    for step in steps_for(incident):
        if step.only_if_continuing and step.position not in held:
            row = _open_step(incident, step, start, actor)
            if row is not None:
                opened.append(row)
    return opened


def _open_step(incident: Incident, step: PlaybookStep, start: datetime, actor):
    row = deadlines.open_deadline(
        incident, DeadlineKind.PLAYBOOK_STEP, start=start,
        owed_by_unit=owner_unit(incident, step), actor=actor, repeat=True,
        due_at=due_after(start, step.amount, step.unit))
    if row is None:
        return None
    # The row's sequence is the step's position; its clause is the step's own (C10a …),
    # not the generic rule's.
    Deadline.objects.filter(pk=row.pk).update(sequence=step.position, clause=step.clause)
    row.sequence, row.clause = step.position, step.clause
    return row


def hand_to_lead_unit(incident: Incident, unit: Unit, *, actor=None) -> int:
    """A referral slip names the lead department (C11): the unsettled steps the lead unit owes
    pass to it, with a line on the timeline."""
    positions = [s.position for s in steps_for(incident) if s.owner == StepOwner.LEAD_UNIT]
    rows = pending_rows(incident).filter(sequence__in=positions).exclude(owed_by_unit=unit)
    changed = rows.update(owed_by_unit=unit)
    if changed:
        record_event(incident, Event.DEADLINE_RECOMPUTED, actor, clause="C10",
                     note=_("分类处置步骤（%(n)s 项）改由牵头单位%(unit)s负责") % {
                         "n": changed, "unit": unit.name},
                     data={"owed_by_unit": unit.pk, "steps": positions})
    return changed


def step_of(incident: Incident, row: Deadline) -> PlaybookStep | None:
    return PlaybookStep.objects.filter(plan=incident.plan, category=incident.category,
                                       position=row.sequence).first()


def pending_rows(incident: Incident):
    return Deadline.objects.filter(incident=incident, kind=DeadlineKind.PLAYBOOK_STEP) \
        .unsettled()


def meet_by_verb(incident: Incident, verb: str, *, at, recorded_at, actor,
                 position: int | None = None) -> list[Deadline]:
    """Meet the unsettled steps whose named verb is `verb` (one step when `position` given)."""
    if not incident.category:
        return []
    steps = {s.position: s for s in steps_for(incident) if s.verb == verb}
    if position is not None:
        steps = {p: s for p, s in steps.items() if p == position}
    if not steps:
        return []
    rows = pending_rows(incident).filter(sequence__in=list(steps))
    return deadlines.meet_rows(incident, rows, at=at, recorded_at=recorded_at, actor=actor)


@dataclass(frozen=True)
class ChecklistItem:
    step: PlaybookStep
    deadline: Deadline | None
    owner: Unit

    @property
    def done(self) -> bool:
        return self.deadline is not None and self.deadline.met_at is not None

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline.is_overdue()


def checklist(incident: Incident) -> list[ChecklistItem]:
    """The category's steps with their rows, for the incident page."""
    if not incident.category:
        return []
    rows = {row.sequence: row for row in
            incident.deadlines.filter(kind=DeadlineKind.PLAYBOOK_STEP).order_by(F("sequence"))}
    items = []
    for step in steps_for(incident):
        row = rows.get(step.position)
        items.append(ChecklistItem(step, row, row.owed_by_unit if row is not None
                                   else owner_unit(incident, step)))
    return items


def step_choices(incident: Incident) -> list[tuple[int, str]]:
    return [(item.step.position, f"{item.step.position}. {item.step.title}")
            for item in checklist(incident) if item.deadline and not item.done]


def describe(step: PlaybookStep) -> str:
    return _("%(clause)s 第%(n)s步：%(title)s") % {"clause": step.clause, "n": step.position,
                                                 "title": step.title}
