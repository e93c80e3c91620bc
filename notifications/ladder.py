"""The escalation ladder (plan data): who hears of a breach first, and who next, until someone
acknowledges or the obligation is done."""
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import Audience, EscalationStep
from incidents.models import Deadline, Escalation, EscalationNotice, Event
from organisation.models import Person, Unit
from opinion_ops.errors import NotPermitted
from organisation.actors import acting_user
from incidents.timeline import record_event


def recipients_for(audience: str, deadline: Deadline) -> list[Person]:
    incident = deadline.incident
    if audience == Audience.OWNER:
        if deadline.owed_by_person_id:
            return [deadline.owed_by_person]
        return list(Person.objects.filter(unit=deadline.owed_by_unit))
    if audience == Audience.OFFICE:
        return list(Person.objects.filter(unit__kind=Unit.Kind.OFFICE))
    if audience == Audience.LEADERSHIP:
        return list(Person.objects.filter(
            Q(unit__kind=Unit.Kind.LEADERSHIP) | Q(pk=incident.accountable_leader_id)).distinct())
    if audience == Audience.SUPERIOR:
        return list(Person.objects.filter(unit__kind=Unit.Kind.SUPERIOR))
    raise ValueError(f"unknown audience {audience!r}")


def _steps(deadline: Deadline) -> list[EscalationStep]:
    return list(deadline.incident.plan.ladder.order_by("level"))


def _notify_level(escalation: Escalation, step: EscalationStep, now: datetime) -> EscalationNotice:
    deadline = escalation.deadline
    people = recipients_for(step.audience, deadline)
    notice = EscalationNotice.objects.create(escalation=escalation, level=step.level,
                                             audience=step.audience, created_at=now)
    notice.recipients.set(people)
    names = "、".join(p.name for p in people) or _("（未配置接收人）")
    record_event(deadline.incident, Event.ESCALATED, None, clause=deadline.clause,
                 recipient=names,
                 note=_("%(kind)s超时，第 %(level)s 级通知%(audience)s") % {
                     "kind": deadline.get_kind_display(), "level": step.level,
                     "audience": step.get_audience_display()},
                 data={"deadline": deadline.pk, "escalation": escalation.pk, "level": step.level,
                       "recipients": [p.pk for p in people]})
    transaction.on_commit(lambda: _deliver(notice.pk))
    return notice


def _deliver(notice_id: int) -> None:
    # Delivery belongs to the notifications app; imported late so incidents does not depend on
    # it at import time.
    from notifications.dispatch import notice_created

    notice_created(notice_id)


def _schedule_next(escalation: Escalation, steps: list[EscalationStep], now: datetime) -> None:
    following = [s for s in steps if s.level > escalation.level]
    if following:
        escalation.next_level_at = now + timedelta(minutes=following[0].delay_minutes)
    else:
        escalation.next_level_at = None
        escalation.state = Escalation.State.EXHAUSTED


def start_escalation(deadline: Deadline, now: datetime) -> Escalation | None:
    """Called in the transaction that marked the deadline breached."""
    steps = _steps(deadline)
    if not steps:
        return None
    escalation = Escalation.objects.create(deadline=deadline, started_at=now,
                                           level=steps[0].level)
    _notify_level(escalation, steps[0], now)
    _schedule_next(escalation, steps, now)
    escalation.save(update_fields=["next_level_at", "state"])
    return escalation


def climb(escalation_id: int, now: datetime | None = None) -> bool:
    """Notify the next rung of an unacknowledged ladder; exactly once per rung."""
    now = now or timezone.now()
    with transaction.atomic():
        escalation = (Escalation.objects.select_for_update(skip_locked=True, of=("self",))
                      .filter(pk=escalation_id, state=Escalation.State.OPEN,
                              next_level_at__lte=now)
                      .select_related("deadline__incident__plan").first())
        if escalation is None:
            return False
        steps = _steps(escalation.deadline)
        step = next((s for s in steps if s.level > escalation.level), None)
        if step is None:
            escalation.state, escalation.next_level_at = Escalation.State.EXHAUSTED, None
        else:
            escalation.level = step.level
            _notify_level(escalation, step, now)
            _schedule_next(escalation, steps, now)
        escalation.save(update_fields=["level", "next_level_at", "state"])
        return step is not None


def may_acknowledge(escalation: Escalation, user) -> bool:
    """Who may answer a ladder: the people it notified, the owing unit, and the office and
    leadership roles (those that may reassign the incident)."""
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_perm("incidents.reassign_incident"):
        return True
    person = getattr(user, "person", None)
    if person is None:
        return False
    return (person.unit_id == escalation.deadline.owed_by_unit_id
            or EscalationNotice.objects.filter(escalation=escalation,
                                               recipients=person).exists())


def acknowledge(escalation: Escalation, actor, *, via: str, note: str = "") -> bool:
    """Stop the ladder: no further rung is notified after this commits (C13)."""
    if not may_acknowledge(escalation, actor):
        raise NotPermitted(_("您不是该升级的通知对象，也无权代为确认"))
    now = timezone.now()
    with transaction.atomic():
        changed = Escalation.objects.filter(
            pk=escalation.pk,
            state__in=[Escalation.State.OPEN, Escalation.State.EXHAUSTED],
        ).update(state=Escalation.State.ACKNOWLEDGED, acknowledged_at=now,
                 acknowledged_by=acting_user(actor),
                 next_level_at=None)
        if changed != 1:
            return False
        deadline = escalation.deadline
        record_event(deadline.incident, Event.ACKNOWLEDGED, actor, clause=deadline.clause,
                     note=note or _("%(kind)s超时升级已确认（%(via)s）") % {
                         "kind": deadline.get_kind_display(), "via": via},
                     data={"escalation": escalation.pk, "via": via})
        transaction.on_commit(lambda: _acknowledged(escalation.pk))
        return True


def _acknowledged(escalation_id: int) -> None:
    from notifications.dispatch import escalation_acknowledged

    escalation_acknowledged(escalation_id)


def resolve_for_met_deadline(deadline: Deadline) -> None:
    """The late obligation was done: nothing left to chase."""
    Escalation.objects.filter(
        deadline=deadline, state__in=[Escalation.State.OPEN, Escalation.State.EXHAUSTED],
    ).update(state=Escalation.State.RESOLVED, next_level_at=None)
