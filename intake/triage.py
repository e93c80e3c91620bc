"""The triage window of a lead (C06): opened on arrival, met when the lead is handled, breached
and climbed by intake's own sweep (see intake.models.triage for why it is not a Deadline).

Claims are conditional UPDATEs, as in incidents.sweep: a row is breached, or moved one rung up,
only by the sweeper whose UPDATE changed exactly one row, however many sweeps run at once.
Each rung reached publishes `lead_triage_escalated` inside the claiming transaction; the
notifications app subscribes and plans that rung's deliveries (one notification per rung).
"""
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events
from organisation.models import Person, Unit
from plans.models import Audience, DeadlineKind, DeadlineRule, ResponsePlan
from plans.windows import due_after

from .models import Lead, LeadEntry, LeadTriage

logger = logging.getLogger(__name__)
PENDING, MET, BREACHED = LeadTriage.State.PENDING, LeadTriage.State.MET, LeadTriage.State.BREACHED


def triage_rule() -> DeadlineRule | None:
    """The plan's triage window (the default plan's rule of kind lead_triage), or None when
    the plan sets none. One query: the plan is chosen as plans.versions.default_plan chooses
    it (the current default, else the first current plan by family), inside the rule's."""
    plan = (ResponsePlan.objects.current().order_by("-is_default", "family", "pk")
            .values("pk")[:1])
    return DeadlineRule.objects.filter(plan=Subquery(plan), kind=DeadlineKind.LEAD_TRIAGE) \
        .order_by("pk").first()


def open_triage(leads: list[Lead], at: datetime) -> list[LeadTriage]:
    rule = triage_rule()
    if rule is None:
        return []
    due = due_after(at, rule.amount, rule.unit)
    return LeadTriage.objects.bulk_create([
        LeadTriage(lead=lead, rule=rule, clause=rule.clause, owed_by_unit_id=lead.unit_id,
                   owed_by_person_id=lead.assignee_id, opened_at=at, due_at=due)
        for lead in leads])


def meet_triage(lead: Lead, at: datetime) -> None:
    """The lead was handled: the window is met, and a ladder it started stops climbing."""
    LeadTriage.objects.filter(lead=lead, met_at__isnull=True).update(met_at=at, next_level_at=None)
    LeadTriage.objects.filter(lead=lead, state=PENDING).update(state=MET)


def _ladder(triage: LeadTriage) -> list:
    return list(triage.rule.plan.ladder.order_by("level"))


def _next_rung_at(ladder: list, level: int, at: datetime) -> datetime | None:
    step = next((s for s in ladder if s.level == level + 1), None)
    return at + timedelta(minutes=step.delay_minutes) if step else None


def recipients(triage: LeadTriage, audience: str) -> list[Person]:
    """Who a rung tells: the officer on duty (or the unit's monitors), the office, the
    leadership group."""
    if audience == Audience.OWNER:
        if triage.owed_by_person_id:
            return [triage.owed_by_person]
        return list(Person.objects.filter(unit_id=triage.owed_by_unit_id, is_monitor=True)
                    .select_related("unit"))
    kind = audience_unit_kind(audience)
    return list(Person.objects.filter(unit__kind=kind).select_related("unit")) if kind else []


def audience_unit_kind(audience: str) -> str | None:
    """The kind of unit a rung addressed to a body reaches (None: the owner)."""
    return {Audience.OFFICE: Unit.Kind.OFFICE, Audience.LEADERSHIP: Unit.Kind.LEADERSHIP,
            Audience.SUPERIOR: Unit.Kind.SUPERIOR}.get(audience)


def rung(triage: LeadTriage, level: int):
    """The plan's ladder step of `level` (None when the ladder is shorter)."""
    return next((s for s in _ladder(triage) if s.level == level), None)


def record_notice(lead_id: int, note: str, clause: str) -> LeadEntry:
    """A line on the lead's history about a notice of its ladder (sent, retried, failed), so a
    message that never arrived is never silent (C24)."""
    return LeadEntry.objects.create(lead_id=lead_id, event=LeadEntry.Event.NOTIFIED,
                                    actor_name=_("系统"), note=note, clause=clause)


def _tell(triage: LeadTriage, level: int, at: datetime, event: str) -> None:
    step = rung(triage, level)
    audience = step.get_audience_display() if step else "—"
    names = "、".join(p.name for p in recipients(triage, step.audience)) if step else ""
    note = _("线索超过研判时限未处理（截止 %(due)s），第 %(level)s 级通知%(audience)s：%(names)s") % {
        "due": timezone.localtime(triage.due_at).strftime("%Y-%m-%d %H:%M"), "level": level,
        "audience": audience, "names": names or _("（无人）")}
    LeadEntry.objects.create(lead_id=triage.lead_id, recorded_at=at, event=event,
                             actor_name=_("系统"), note=note, clause=triage.clause)
    events.publish(events.LEAD_TRIAGE_ESCALATED, triage_id=triage.pk, lead_id=triage.lead_id,
                   level=level, at=at.isoformat())


def breach(triage_id: int, now: datetime) -> bool:
    with transaction.atomic():
        triage = LeadTriage.objects.select_related("rule__plan", "owed_by_person").get(pk=triage_id)
        ladder = _ladder(triage)
        claimed = LeadTriage.objects.filter(pk=triage_id, state=PENDING, due_at__lte=now).update(
            state=BREACHED, breached_at=now, level=1,
            next_level_at=_next_rung_at(ladder, 1, now))
        if claimed != 1:
            return False
        _tell(triage, 1, now, LeadEntry.Event.TRIAGE_BREACHED)
    return True


def climb(triage_id: int, now: datetime) -> bool:
    with transaction.atomic():
        triage = LeadTriage.objects.select_related("rule__plan", "owed_by_person").get(pk=triage_id)
        level = triage.level + 1
        claimed = LeadTriage.objects.filter(
            pk=triage_id, state=BREACHED, met_at__isnull=True, level=triage.level,
            next_level_at__lte=now).update(
            level=level, next_level_at=_next_rung_at(_ladder(triage), level, now))
        if claimed != 1:
            return False
        _tell(triage, level, now, LeadEntry.Event.ESCALATED)
    return True


def sweep(now: datetime | None = None, batch: int | None = None) -> tuple[list[int], list[int]]:
    """One pass: breach due windows, then move unhandled ladders one rung up."""
    now = now or timezone.now()
    batch = batch or settings.DEADLINE_SWEEP_BATCH
    due = list(LeadTriage.objects.filter(state=PENDING, due_at__lte=now).order_by("due_at")
               .values_list("pk", flat=True)[:batch])
    breached = [pk for pk in due if breach(pk, now)]
    rungs = list(LeadTriage.objects.filter(state=BREACHED, met_at__isnull=True,
                                           next_level_at__lte=now)
                 .order_by("next_level_at").values_list("pk", flat=True)[:batch])
    climbed = [pk for pk in rungs if climb(pk, now)]
    return breached, climbed
