"""The verbs on a lead: the only code that changes one after it arrives.

Views, the API, the admin and the sweep call these. Each runs in one transaction with the lead
row locked, checks the role's permission (intake.triage_lead) and the access policy
(intake.scoping), and changes the incident only through the core's actions.
"""
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import actions as incident_actions
from incidents import selectors
from incidents.models import Incident
from opinion_ops.errors import InvalidInput, NotPermitted
from organisation.actors import acting_user, actor_name, person_of

from . import heat, scoping, triage
from .models import Lead, LeadEntry

TRIAGE_PERMISSION = "intake.triage_lead"


def _lock(lead: Lead, actor) -> Lead:
    """The lead row locked, after the role and the policy allow the actor to handle it."""
    if actor is not None:
        if not actor.has_perm(TRIAGE_PERMISSION):
            raise NotPermitted(_("您的角色无权研判处置线索"))
        if not scoping.may_handle(actor, lead):
            raise NotPermitted(_("该线索不属于您的单位，您无权处置"))
    locked = (Lead.objects.select_for_update(of=("self",))
              .select_related("source", "unit", "assignee").get(pk=lead.pk))
    if not locked.is_open:
        raise InvalidInput({"state": _("线索已处理（%s），不能重复处置") % locked.get_state_display()})
    return locked


def _entry(lead: Lead, event: str, actor, note: str = "", clause: str = "") -> LeadEntry:
    return LeadEntry.objects.create(lead=lead, event=event, actor=acting_user(actor),
                                    actor_name=actor_name(actor), note=note, clause=clause)


def _handled(lead: Lead, state: str, actor, now, **facts) -> None:
    lead.state, lead.handled_at, lead.handled_by = state, now, acting_user(actor)
    for name, value in facts.items():
        setattr(lead, name, value)
    lead.save()
    triage.meet_triage(lead, now)


def lead_page_url(lead: Lead) -> str:
    return f"{settings.SITE_URL}{reverse('intake-leads-page')}?lead={lead.pk}"


def open_incident(lead: Lead, actor, *, urgent: bool = False, note: str = "") -> Incident:
    """Open an incident from a lead (C06). Its discovery time is the lead's received time, not
    the click's, so the report window (C01/C03) runs from when the office could know (C21)."""
    with transaction.atomic():
        locked = _lock(lead, actor)
        now = timezone.now()
        incident = incident_actions.detect_incident(
            actor, title=locked.title, summary=locked.excerpt or locked.title,
            source_url=locked.url or lead_page_url(locked),
            platform=locked.platform or locked.source.name, discovered_at=locked.received_at,
            urgent=urgent, discovered_by=person_of(actor) or locked.assignee,
            note=note or _("由线索 #%(id)s 立为事件（来源：%(source)s）") % {
                "id": locked.pk, "source": locked.source.name})
        _handled(locked, Lead.State.OPENED, actor, now, incident=incident)
        _entry(locked, LeadEntry.Event.OPENED, actor, _("立为事件 #%s") % incident.pk, "C06")
        heat.feed_incident(locked, actor)
    return incident


def attach_lead(lead: Lead, actor, *, incident: Incident) -> Lead:
    """Attach a lead to an existing incident: its figures become the incident's snapshots (C07)."""
    if actor is not None and not selectors.may_act_on(actor, incident):
        raise NotPermitted(_("该事件不属于您的单位，您无权并入线索"))
    if not incident.is_open:
        raise InvalidInput({"incident": _("事件 #%(id)s 已%(state)s，不能再并入线索") % {
            "id": incident.pk, "state": incident.get_state_display()}})
    with transaction.atomic():
        locked = _lock(lead, actor)
        _handled(locked, Lead.State.ATTACHED, actor, timezone.now(), incident=incident)
        _entry(locked, LeadEntry.Event.ATTACHED, actor, _("并入事件 #%s") % incident.pk, "C07")
        heat.feed_incident(locked, actor)
    return locked


def dismiss_lead(lead: Lead, actor, *, reason: str) -> Lead:
    """Dismiss a lead as no incident, with the reason on its record (C06, C24)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": _("请说明排除理由")})
    with transaction.atomic():
        locked = _lock(lead, actor)
        _handled(locked, Lead.State.DISMISSED, actor, timezone.now(), dismiss_reason=reason[:300])
        _entry(locked, LeadEntry.Event.DISMISSED, actor, reason)
    return locked
