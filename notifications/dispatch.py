"""Entry points the incident side calls after commit: what to tell, and to whom.

- notice_created(notice_id): a rung of an escalation ladder was reached (incidents.escalation).
- escalation_acknowledged(escalation_id): a ladder was stopped; queued copies are cancelled.
- incident_event(incident_id, event): a point of the procedure the plan's NotifyRules name —
  "reported" (C01: related departments are told at the same time as the office) and "major"
  (C04/C14: the superior department for major incidents). Called from incidents.actions.
- lead_triage_escalated(triage_id, level): a lead left untouched past the plan's triage window
  reached a rung of its ladder (C06; intake.triage publishes it).

Each creates one Notification (unique key, so a repeated call does nothing) and its Delivery
rows in one transaction; notifications.delivery queues the sends when it commits.
"""
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import AnnouncementAudience, Audience, DeadlineKind
from incidents.models import Deadline, EscalationNotice, Incident
from intake import triage as lead_triage
from intake.actions import lead_page_url
from intake.models import LeadTriage
from organisation.models import Person, Unit

from . import delivery
from .models import Notification, NotifyEvent, NotifyRule

logger = logging.getLogger(__name__)

TITLE_CHARS = 16


def short_title(incident: Incident) -> str:
    return _short(incident.title)


def notice_created(notice_id: int) -> Notification | None:
    """Plan the deliveries of one rung: its recipients' inboxes and channels, and the group
    channels of their units (and of the audience's units, e.g. the office robot)."""
    notice = (EscalationNotice.objects
              .select_related("escalation__deadline__incident",
                              "escalation__deadline__owed_by_unit",
                              "escalation__deadline__owed_by_person")
              .prefetch_related("recipients__unit").get(pk=notice_id))
    deadline = notice.escalation.deadline
    incident = deadline.incident
    kind = deadline.get_kind_display()
    owed = deadline.owed_by_person.name if deadline.owed_by_person_id \
        else deadline.owed_by_unit.name
    people = sorted(notice.recipients.all(), key=lambda p: p.pk)
    return _create(
        key=f"notice:{notice.pk}", people=people,
        units=_units(people) | _audience_units(notice.audience, deadline.owed_by_unit),
        incident=incident, reason=Notification.Reason.ESCALATION, notice=notice,
        escalation=notice.escalation, deadline=deadline, level=notice.level,
        clause=deadline.clause, asks_ack=True, due_at=deadline.due_at, label=kind,
        title=_("【超时】%(kind)s — #%(pk)s %(title)s") % {
            "kind": kind, "pk": incident.pk, "title": short_title(incident)},
        body=_("第 %(level)s 级通知%(audience)s：%(owed)s未在时限内完成%(kind)s。请立即处理；"
               "已知悉并处理的，请点击“确认收到”，升级即停止。") % {
            "level": notice.level, "audience": notice.get_audience_display(), "owed": owed,
            "kind": kind})


def escalation_acknowledged(escalation_id: int) -> int:
    """Cancel every copy of the ladder that is still queued or held; returns how many."""
    return delivery.cancel_for_escalation(escalation_id)


def incident_event(incident_id: int, event: str) -> Notification | None:
    """Tell the units the plan names for this event, once per incident: its announcement rules
    (shipped in every plan: the incident's related departments at report time, C01; the
    superior department when it becomes major, C04) and the NotifyRules an office added."""
    incident = Incident.objects.select_related("plan").get(pk=incident_id)
    rules = list(NotifyRule.objects.filter(Q(plan=incident.plan) | Q(plan__isnull=True),
                                           event=event, enabled=True)
                 .prefetch_related("units"))
    announced = list(incident.plan.announcement_rules.filter(point=event))
    units = {unit for rule in rules for unit in rule.units.all()}
    units |= announced_units(incident, announced)
    if not units:
        return None
    people = list(Person.objects.filter(unit__in=units).select_related("unit").order_by("pk"))
    pending = Deadline.objects.filter(incident=incident, state=Deadline.State.PENDING)
    if event == NotifyEvent.MAJOR:  # C04: what the superior is told about is the dual report
        pending = pending.filter(kind=DeadlineKind.SUPERIOR_REPORT)
    pending = pending.order_by("due_at").first()
    if event == NotifyEvent.MAJOR:
        title = _("【%(severity)s】舆情通报 — #%(pk)s %(title)s") % {
            "severity": incident.get_severity_display() or _("重大"), "pk": incident.pk,
            "title": short_title(incident)}
        label, default_clause = _("重大舆情逐级、双重报告"), "C04"
    else:
        title = _("【通报】舆情已报告 — #%(pk)s %(title)s") % {
            "pk": incident.pk, "title": short_title(incident)}
        label, default_clause = _("舆情报告，同时通报相关部门"), "C01"
    return _create(
        key=f"incident:{incident.pk}:event:{event}", people=people, units=units,
        incident=incident, reason=event, level=0,
        clause=next((r.clause for r in [*announced, *rules] if r.clause), default_clause),
        asks_ack=False,
        due_at=pending.due_at if pending else timezone.now(),
        label=f"{label}（{pending.get_kind_display()}）" if pending else label,
        title=title, body=incident.summary)


def lead_triage_escalated(triage_id: int, level: int) -> Notification | None:
    """Tell one rung of a lead's triage ladder (C06): the officer on duty first, then the
    office, then the leadership group, as the plan's ladder says; once per rung."""
    triage = (LeadTriage.objects.select_related("lead", "rule__plan", "owed_by_unit",
                                                "owed_by_person__unit").get(pk=triage_id))
    step = lead_triage.rung(triage, level)
    audience = step.audience if step else Audience.OWNER
    people = sorted(lead_triage.recipients(triage, audience), key=lambda p: p.pk)
    lead = triage.lead
    owed = triage.owed_by_person.name if triage.owed_by_person_id else triage.owed_by_unit.name
    label = _("线索研判")
    return _create(
        key=f"lead-triage:{triage.pk}:level:{level}", people=people,
        units=_units(people) | _audience_units(audience, triage.owed_by_unit),
        lead=lead, reason=Notification.Reason.LEAD_TRIAGE, level=level,
        clause=triage.clause, asks_ack=False, due_at=triage.due_at, label=label,
        title=_("【超时】线索未研判 — %(title)s") % {"title": _short(lead.title)},
        body=_("第 %(level)s 级通知%(audience)s：%(owed)s未在时限内研判线索（立为事件、并入事件或排除），"
               "请立即处理：%(url)s") % {
            "level": level, "audience": step.get_audience_display() if step else "—",
            "owed": owed, "url": lead_page_url(lead)})


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"


def announced_units(incident: Incident, rules) -> set[Unit]:
    """The units a plan's announcement rules name for this incident."""
    units = set()
    for rule in rules:
        if rule.audience == AnnouncementAudience.RELATED:
            units |= set(incident.related_units.all())
        else:
            units |= set(Unit.objects.filter(kind=AUDIENCE_UNIT_KINDS[rule.audience]))
    return units


AUDIENCE_UNIT_KINDS = {AnnouncementAudience.SUPERIOR: Unit.Kind.SUPERIOR,
                       AnnouncementAudience.LEADERSHIP: Unit.Kind.LEADERSHIP}


def _create(*, key: str, people: list[Person], units: set[Unit], **fields) -> Notification | None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(key=key, created_at=timezone.now(),
                                                           **fields)
        except IntegrityError:
            logger.info("notification %s already planned", key)
            return None
        delivery.plan_deliveries(notification, people, sorted(units, key=lambda u: u.pk))
        return notification


def _units(people: list[Person]) -> set[Unit]:
    return {person.unit for person in people}


def _audience_units(audience: str, owed_by_unit: Unit) -> set[Unit]:
    """A rung addressed to a body reaches its group channel even when no person is listed."""
    kinds = {Audience.OFFICE: Unit.Kind.OFFICE, Audience.LEADERSHIP: Unit.Kind.LEADERSHIP,
             Audience.SUPERIOR: Unit.Kind.SUPERIOR}
    if audience == Audience.OWNER:
        return {owed_by_unit}
    return set(Unit.objects.filter(kind=kinds[audience]))
