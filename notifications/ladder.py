"""The escalation ladder (plan data): who hears of a breach first, and who next, until someone
acknowledges or the obligation is done.

A breach reaches the ladder as the `deadlines_breached` event (notifications.subscribers), in
the transaction that marked the row breached, so the escalation and its first notice stand or
fall with the breach. Deliveries are planned by a task on the deliveries queue after commit.
"""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from incidents.models import Deadline, Escalation, EscalationChange, EscalationNotice, Event
from incidents.timeline import record_event
from opinion_ops.errors import NotPermitted
from organisation.actors import acting_user
from organisation.models import Person, Unit
from plans.models import Audience, EscalationStep

from .delivery import cancel_for_escalation

logger = logging.getLogger(__name__)


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
    transaction.on_commit(lambda: queue_delivery_planning([notice.pk]))
    return notice


def queue_delivery_planning(notice_ids: list[int]) -> None:
    """Plan the rungs' deliveries in a task on the deliveries queue, never inside the commit
    that reached the rung; a notice whose task is lost is planned by the delivery sweep."""
    from .tasks import plan_notice_deliveries

    try:
        plan_notice_deliveries.apply_async((notice_ids,), retry=False)
    except BrokerError:
        logger.warning("could not queue delivery planning for notices %s; the sweep will",
                       notice_ids, exc_info=True)


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


def start_escalations(deadline_ids: list[int], now: datetime) -> list[Escalation]:
    """The deadlines were breached (in this transaction): start each one's ladder."""
    deadlines = (Deadline.objects.filter(pk__in=deadline_ids)
                 .select_related("incident__plan", "owed_by_unit", "owed_by_person"))
    return [escalation for deadline in deadlines
            if (escalation := start_escalation(deadline, now)) is not None]


def climb_due(now: datetime | None = None, batch: int | None = None) -> list[int]:
    """Notify the next rung of every unacknowledged ladder that is due (beat, each second)."""
    now = now or timezone.now()
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    ladders = (Escalation.objects.filter(state=Escalation.State.OPEN, next_level_at__lte=now)
               .order_by("next_level_at").values_list("pk", flat=True)[:batch])
    return [pk for pk in list(ladders) if climb(pk, now=now)]


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
            note = _("已至最高级，无更高一级可通知")
        else:
            escalation.level = step.level
            _notify_level(escalation, step, now)
            _schedule_next(escalation, steps, now)
            note = _("第 %(level)s 级已通知%(audience)s") % {
                "level": step.level, "audience": step.get_audience_display()}
        escalation.save(update_fields=["level", "next_level_at", "state"])
        EscalationChange.objects.create(escalation=escalation, state=escalation.state,
                                        level=escalation.level, recorded_at=now, note=note)
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
        said = _("%(kind)s超时升级已确认（%(via)s）") % {
            "kind": deadline.get_kind_display(), "via": via}
        record_event(deadline.incident, Event.ACKNOWLEDGED, actor, clause=deadline.clause,
                     note=note or said, data={"escalation": escalation.pk, "via": via})
        # The level as it stands under the lock the UPDATE took, not as the caller loaded it;
        # the free-text note stays on the timeline, which redacts it.
        level = Escalation.objects.filter(pk=escalation.pk).values_list("level", flat=True).get()
        EscalationChange.objects.create(escalation_id=escalation.pk,
                                        state=Escalation.State.ACKNOWLEDGED, level=level,
                                        recorded_at=now, actor=acting_user(actor), note=said)
        transaction.on_commit(lambda: cancel_for_escalation(escalation.pk))
        return True


def resolve_for_met_deadlines(deadline_ids: list[int]) -> int:
    """The late obligations were done: nothing left to chase. The ladder stops; its rungs and
    history stay, and the deadline stays breached (C21)."""
    now = timezone.now()
    with transaction.atomic():
        ladders = list(Escalation.objects.select_for_update(of=("self",)).filter(
            deadline_id__in=deadline_ids,
            state__in=[Escalation.State.OPEN, Escalation.State.EXHAUSTED],
        ).values_list("pk", "level"))
        resolved = Escalation.objects.filter(pk__in=[pk for pk, _level in ladders]).update(
            state=Escalation.State.RESOLVED, next_level_at=None)
        EscalationChange.objects.bulk_create(
            EscalationChange(escalation_id=pk, state=Escalation.State.RESOLVED, level=level,
                             recorded_at=now, note=_("义务已补履行，停止升级"))
            for pk, level in ladders)
    return resolved
