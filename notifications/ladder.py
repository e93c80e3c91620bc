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

from incidents import bulk, chain
from incidents.models import Deadline, Escalation, EscalationChange, EscalationNotice, Event
from incidents.sweep import system_entry
from incidents.timeline import record_event
from opinion_ops.choice_labels import labels
from opinion_ops.errors import NotPermitted
from organisation.actors import acting_user
from organisation.models import Person, Unit
from plans.models import Audience, EscalationStep

from .delivery import cancel_for_escalation

logger = logging.getLogger(__name__)


def recipients_for(audience: str, deadline: Deadline) -> list[Person]:
    """Who hears of one deadline's breach at a rung of this audience."""
    return _recipients_for_many([(audience, deadline)])[0]


def _recipients_for_many(wanted: list[tuple[str, Deadline]]) -> list[list[Person]]:
    """recipients_for for many (audience, deadline) pairs, in at most one query per audience
    (the deadlines come with owed_by_person and incident loaded)."""
    audiences = {audience for audience, _deadline in wanted}
    unknown = audiences - set(Audience.values)
    if unknown:
        raise ValueError(f"unknown audience {sorted(unknown)[0]!r}")
    people = Person.objects.select_related("unit")
    by_unit: dict[int, list[Person]] = {}
    if Audience.OWNER in audiences:
        units = {d.owed_by_unit_id for a, d in wanted
                 if a == Audience.OWNER and not d.owed_by_person_id}
        for person in (people.filter(unit_id__in=units) if units else []):
            by_unit.setdefault(person.unit_id, []).append(person)
    of_kind = {kind: list(people.filter(unit__kind=kind))
               for audience, kind in ((Audience.OFFICE, Unit.Kind.OFFICE),
                                      (Audience.SUPERIOR, Unit.Kind.SUPERIOR))
               if audience in audiences}
    leadership: list[Person] = []
    if Audience.LEADERSHIP in audiences:
        leaders = {d.incident.accountable_leader_id for a, d in wanted
                   if a == Audience.LEADERSHIP and d.incident.accountable_leader_id}
        leadership = list(people.filter(Q(unit__kind=Unit.Kind.LEADERSHIP) | Q(pk__in=leaders))
                          .distinct())
    result = []
    for audience, deadline in wanted:
        if audience == Audience.OWNER:
            result.append([deadline.owed_by_person] if deadline.owed_by_person_id
                          else list(by_unit.get(deadline.owed_by_unit_id, [])))
        elif audience == Audience.LEADERSHIP:
            leader = deadline.incident.accountable_leader_id
            result.append([p for p in leadership
                           if (p.unit_id and p.unit.kind == Unit.Kind.LEADERSHIP)
                           or p.pk == leader])
        elif audience == Audience.OFFICE:
            result.append(list(of_kind[Audience.OFFICE]))
        else:
            result.append(list(of_kind[Audience.SUPERIOR]))
    return result


def _steps(deadline: Deadline) -> list[EscalationStep]:
    return list(deadline.incident.plan.ladder.order_by("level"))


def _notify_level(escalation: Escalation, step: EscalationStep, now: datetime) -> EscalationNotice:
    [notice] = _notify_levels([(escalation, step)], now)
    return notice


def _notify_levels(rungs: list[tuple[Escalation, EscalationStep]], now: datetime, *,
                   history: list[EscalationChange] | None = None) -> list[EscalationNotice]:
    """Reach one rung on each of these ladders (escalations saved, their deadlines loaded with
    incident, owed_by_unit and owed_by_person): the notices, their recipients and the ESCALATED
    timeline entries as bulk inserts, and ONE task after commit to plan every delivery.
    `history`: the ladders' EscalationChange rows, chained after the entries in the same seal
    (one lock and one move of the batch's chain heads instead of two)."""
    if not rungs:
        return []
    people = _recipients_for_many([(step.audience, escalation.deadline)
                                   for escalation, step in rungs])
    notices = bulk.insert([EscalationNotice(escalation=escalation, level=step.level,
                                            audience=step.audience, created_at=now)
                           for escalation, step in rungs])
    Recipient = EscalationNotice.recipients.through
    bulk.insert([Recipient(escalationnotice_id=notice.pk, person_id=person.pk)
                 for notice, recipients in zip(notices, people) for person in recipients])
    kinds = labels(Deadline._meta.get_field("kind"))
    audiences = labels(EscalationStep._meta.get_field("audience"))
    nobody, said = _("（未配置接收人）"), _("%(kind)s超时，第 %(level)s 级通知%(audience)s")
    entries = []
    for (escalation, step), recipients in zip(rungs, people):
        deadline = escalation.deadline
        names = "、".join(p.name for p in recipients) or nobody
        entries.append(system_entry(
            deadline.incident_id, Event.ESCALATED, clause=deadline.clause, recipient=names,
            note=said % {"kind": kinds[deadline.kind], "level": step.level,
                         "audience": audiences[step.audience]},
            data={"deadline": deadline.pk, "escalation": escalation.pk, "level": step.level,
                  "recipients": [p.pk for p in recipients]}))
    chain.bulk_insert(entries, history or [])
    notice_ids = [notice.pk for notice in notices]
    transaction.on_commit(lambda: queue_delivery_planning(notice_ids))
    return notices


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
    started = start_escalations([deadline.pk], now)
    return started[0] if started else None


def start_escalations(deadline_ids: list[int], now: datetime) -> list[Escalation]:
    """The deadlines were breached (in this transaction): start each one's ladder at its first
    rung. A constant number of queries for the whole batch: the deadlines, the plans' ladders,
    the escalations, the first notices and their recipients, the timeline entries and the
    history rows, each read or written once."""
    deadlines = list(Deadline.objects.filter(pk__in=deadline_ids)
                     .select_related("incident", "owed_by_person")
                     .only("pk", "incident_id", "kind", "clause", "due_at", "owed_by_unit_id",
                           "owed_by_person_id", "incident__plan_id", "incident__state",
                           "incident__accountable_leader_id", "owed_by_person__name",
                           "owed_by_person__unit_id")
                     .order_by("due_at", "pk"))
    ladders: dict[int, list[EscalationStep]] = {}
    for step in EscalationStep.objects.filter(
            plan_id__in={d.incident.plan_id for d in deadlines}).order_by("plan_id", "level"):
        ladders.setdefault(step.plan_id, []).append(step)
    rungs = []
    for deadline in deadlines:
        steps = ladders.get(deadline.incident.plan_id)
        if not steps:
            continue
        escalation = Escalation(deadline=deadline, started_at=now, level=steps[0].level)
        _schedule_next(escalation, steps, now)
        rungs.append((escalation, steps[0]))
    escalations = bulk.insert([escalation for escalation, _step in rungs])
    audiences, said = labels(EscalationStep._meta.get_field("audience")), _(
        "第 %(level)s 级已通知%(audience)s")
    _notify_levels(rungs, now, history=[
        EscalationChange(escalation=escalation, state=escalation.state, level=escalation.level,
                         recorded_at=now, note=said % {"level": step.level,
                                                       "audience": audiences[step.audience]})
        for escalation, step in rungs])
    return escalations


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
