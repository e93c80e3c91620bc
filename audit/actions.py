"""What people do with the audit's own objects (C21): an auditor confirms or dismisses a
finding with a reason; a reviewer marks a report as false with the facts that contradict it,
and commends outstanding work. Plain functions; the API and the pages call them."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.deadlines import local_time
from incidents.models import Event, Incident, TimelineEntry
from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from organisation.models import Person, Unit

from .findings import evidence
from .models import Commendation, Finding, FindingKind, FindingStatus

# The entries that are a report to someone: what a false-report finding can be about.
REPORT_EVENTS = (Event.REPORTED, Event.VERBAL_REPORT, Event.WRITTEN_REPORT,
                 Event.FOLLOW_UP_REPORT, Event.SUPERIOR_REPORT, Event.BRIEFING_FILED)


def _require(actor, codename: str, label: str) -> None:
    if not actor.has_perm(f"audit.{codename}"):
        raise NotPermitted(_("您的角色无权%s") % label)


def _require_visible(actor, incident_id: int) -> None:
    if not selectors.visible_incidents(actor).filter(pk=incident_id).exists():
        raise NotPermitted(_("您无权查看该事件"))


def _reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({field: _("请填写理由")})
    return reason


def confirm_finding(finding: Finding, actor, *, reason: str) -> Finding:
    """C21: the auditor confirms the finding; from now on it counts in the unit's figures."""
    return _decide(finding, actor, FindingStatus.CONFIRMED, reason, "confirm")


def dismiss_finding(finding: Finding, actor, *, reason: str) -> Finding:
    """C21: the auditor dismisses the finding (an explained delay, a wrong attribution)."""
    return _decide(finding, actor, FindingStatus.DISMISSED, reason, "dismiss")


def _decide(finding: Finding, actor, status: str, reason: str, verb: str) -> Finding:
    _require(actor, "decide_finding", _("认定问责事项"))
    reason = _reason(reason)
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        _require_visible(actor, locked.incident_id)
        if locked.status != FindingStatus.OPEN:
            raise TransitionNotAllowed(verb, locked.status, locked.get_status_display())
        locked.status, locked.decision_reason = status, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    return locked


def mark_false_report(entry: TimelineEntry, actor, *, reason: str,
                      contradicted_by: list[TimelineEntry]) -> Finding:
    """C21 谎报: a reviewer marks a report as contradicted by facts recorded after it; the
    finding waits for an auditor's decision like the computed ones."""
    _require(actor, "mark_false_report", _("认定谎报"))
    _require_visible(actor, entry.incident_id)
    reason = _reason(reason)
    if entry.event not in REPORT_EVENTS:
        raise InvalidInput({"entry": _("所选记录不是一次报告")})
    if not contradicted_by:
        raise InvalidInput({"contradicted_by": _("请选择与报告内容相矛盾的后续记录")})
    for fact in contradicted_by:
        if fact.incident_id != entry.incident_id or fact.chain_index <= entry.chain_index:
            raise InvalidInput({"contradicted_by": _(
                "证据须为同一事件在该报告之后的记录（#%s）") % fact.pk})
    person = getattr(entry.actor, "person", None) if entry.actor_id else None
    incident = Incident.objects.select_related("owner_unit").get(pk=entry.incident_id)
    rows = [evidence("timeline_entry", entry.pk, entry.occurred_at,
                     _("报告：%(event)s（%(at)s）%(note)s") % {
                         "event": entry.get_event_display(), "at": local_time(entry.occurred_at),
                         "note": entry.note})]
    rows += [evidence("timeline_entry", fact.pk, fact.occurred_at,
                      _("后续事实：%(event)s（%(at)s）%(note)s") % {
                          "event": fact.get_event_display(), "at": local_time(fact.occurred_at),
                          "note": fact.note}) for fact in contradicted_by]
    finding, created = Finding.objects.get_or_create(
        key=f"false:entry:{entry.pk}",
        defaults=dict(kind=FindingKind.FALSE, incident=incident, entry=entry, person=person,
                      unit=person.unit if person else incident.owner_unit,
                      occurred_at=entry.occurred_at, evidence=rows, created_by=actor,
                      summary=_("谎报：%(event)s（%(at)s）与后续事实不符：%(reason)s") % {
                          "event": entry.get_event_display(),
                          "at": local_time(entry.occurred_at), "reason": reason}))
    if not created:
        raise InvalidInput({"entry": _("该报告已被认定过（认定 #%s）") % finding.pk})
    return finding


def commend(incident: Incident, actor, *, unit: Unit, reason: str, person: Person | None = None,
            entries: list[TimelineEntry] = ()) -> Commendation:
    """C21: outstanding work is commended, with the record that shows it."""
    _require(actor, "commend", _("记录表扬"))
    _require_visible(actor, incident.pk)
    reason = _reason(reason)
    for entry in entries:
        if entry.incident_id != incident.pk:
            raise InvalidInput({"entries": _("证据须为该事件的记录（#%s）") % entry.pk})
    rows = [evidence("timeline_entry", e.pk, e.occurred_at,
                     f"{e.get_event_display()}（{local_time(e.occurred_at)}）{e.note}")
            for e in entries]
    return Commendation.objects.create(incident=incident, unit=unit, person=person,
                                       reason=reason, evidence=rows, created_by=actor)
