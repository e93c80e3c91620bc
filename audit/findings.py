"""Accountability findings computed from the record (C21): late (迟报), missed (漏报), recorded
late (补录) and concealed (瞒报). False reports (谎报) are a reviewer's judgement
(audit.actions.mark_false_report) and never computed.

Each reading of a deadline is DeadlineQuerySet's own (late, overdue, recorded_late), so the
audit says of a deadline what the pages and the API say. A refresh is idempotent: a finding is
keyed by what it is about; one the record no longer supports is withdrawn while still open,
and an auditor's decision is never overwritten.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.deadlines import local_time
from incidents.models import Deadline, DeadlineChange, Event, Incident, TimelineEntry
from organisation.models import Person, Unit

from .models import COMPUTED_KINDS, Finding, FindingKind, FindingStatus


@dataclass
class Candidate:
    key: str
    kind: str
    incident: Incident
    unit: Unit
    occurred_at: datetime
    summary: str
    evidence: list = field(default_factory=list)
    person: Person | None = None
    deadline: Deadline | None = None
    entry: TimelineEntry | None = None
    minutes: int | None = None


def evidence(kind: str, pk: int, at: datetime | None, text: str) -> dict:
    return {"type": kind, "id": pk, "at": at.isoformat() if at else None, "text": text}


def refresh_findings(incident_ids: list[int] | None = None, now: datetime | None = None
                     ) -> int:
    """Bring the computed findings of these incidents (all when None) in line with the record;
    the number of incidents refreshed."""
    now = now or timezone.now()
    incidents = Incident.objects.select_related("plan", "owner_unit", "discovered_by__unit")
    if incident_ids is not None:
        incidents = incidents.filter(pk__in=incident_ids)
    refreshed = 0
    for incident in incidents.iterator(chunk_size=200):
        with transaction.atomic():
            _apply(incident, candidates(incident, now))
        refreshed += 1
    return refreshed


def _apply(incident: Incident, found: list[Candidate]) -> None:
    by_key = {c.key: c for c in found}
    existing = {f.key: f for f in Finding.objects.select_for_update()
                .filter(incident=incident, kind__in=COMPUTED_KINDS)}
    for key, finding in existing.items():
        candidate = by_key.get(key)
        if candidate is None:
            if finding.status == FindingStatus.OPEN:
                finding.status = FindingStatus.WITHDRAWN
                finding.save(update_fields=["status"])
            continue
        if finding.status in (FindingStatus.OPEN, FindingStatus.WITHDRAWN):
            _copy(candidate, finding)
            finding.status = FindingStatus.OPEN
            finding.save()
    Finding.objects.bulk_create([_copy(c, Finding(key=c.key)) for c in found
                                 if c.key not in existing], ignore_conflicts=True)


def _copy(candidate: Candidate, finding: Finding) -> Finding:
    for name in ("kind", "incident", "unit", "person", "deadline", "entry", "occurred_at",
                 "minutes", "summary", "evidence"):
        setattr(finding, name, getattr(candidate, name))
    return finding


def candidates(incident: Incident, now: datetime) -> list[Candidate]:
    """Every computed finding the record of `incident` supports, as of `now`."""
    deadlines = Deadline.objects.filter(incident=incident).select_related(
        "owed_by_unit", "owed_by_person")
    changes = _changes_by_deadline(incident)
    for deadline_id, entries in _entries_by_deadline(incident).items():
        changes.setdefault(deadline_id, []).extend(entries)
    found = [_late(d, changes) for d in deadlines.late().filter(met_at__gt=F("due_at"))]
    found += [_missed(d, changes, now) for d in deadlines.late().filter(met_at__isnull=True)]
    found += _recorded_late(incident, list(deadlines.recorded_late()), changes)
    concealed = _concealed(incident)
    if concealed is not None:
        found.append(concealed)
    return found


def _changes_by_deadline(incident: Incident) -> dict[int, list]:
    rows: dict[int, list[DeadlineChange]] = {}
    for change in DeadlineChange.objects.filter(deadline__incident=incident) \
            .order_by("chain_index"):
        rows.setdefault(change.deadline_id, []).append(change)
    return rows


def _entries_by_deadline(incident: Incident) -> dict[int, list[TimelineEntry]]:
    """The timeline's own words on each deadline's breach and fulfilment."""
    rows: dict[int, list[TimelineEntry]] = {}
    for entry in incident.timeline.filter(
            event__in=(Event.DEADLINE_BREACHED, Event.DEADLINE_MET)).order_by("chain_index"):
        if isinstance(entry.data, dict) and entry.data.get("deadline"):
            rows.setdefault(entry.data["deadline"], []).append(entry)
    return rows


def _history_row(row) -> dict:
    if isinstance(row, TimelineEntry):
        return evidence("timeline_entry", row.pk, row.recorded_at,
                        f"{row.get_event_display()}：{row.note}")
    return evidence("deadline_change", row.pk, row.recorded_at,
                    f"{row.get_kind_display()}：{row.note}" if row.note
                    else row.get_kind_display())


def _deadline_evidence(deadline: Deadline, changes: dict) -> list[dict]:
    rows = [evidence("deadline", deadline.pk, deadline.due_at,
                     _("%(kind)s（%(clause)s）截止 %(due)s，责任单位 %(unit)s") % {
                         "kind": deadline.get_kind_display(), "clause": deadline.clause,
                         "due": local_time(deadline.due_at), "unit": deadline.owed_by_unit})]
    rows += [_history_row(row) for row in changes.get(deadline.pk, [])
             if not (isinstance(row, DeadlineChange) and row.kind == DeadlineChange.Kind.OPENED)]
    return rows


def _owed(deadline: Deadline, **values) -> Candidate:
    return Candidate(incident=deadline.incident, unit=deadline.owed_by_unit,
                     person=deadline.owed_by_person, deadline=deadline, **values)


def _late(deadline: Deadline, changes: dict) -> Candidate:
    return _owed(deadline, key=f"late:deadline:{deadline.pk}", kind=FindingKind.LATE,
                 occurred_at=deadline.met_at, minutes=deadline.minutes_late,
                 evidence=_deadline_evidence(deadline, changes),
                 summary=_("%(kind)s（%(clause)s）迟报 %(m)s 分钟：应于 %(due)s 前完成，"
                           "%(met)s 才完成，责任单位 %(unit)s") % {
                     "kind": deadline.get_kind_display(), "clause": deadline.clause,
                     "m": deadline.minutes_late, "due": local_time(deadline.due_at),
                     "met": local_time(deadline.met_at), "unit": deadline.owed_by_unit})


def _missed(deadline: Deadline, changes: dict, now: datetime) -> Candidate:
    overdue = deadline.minutes_overdue(now)
    return _owed(deadline, key=f"missed:deadline:{deadline.pk}", kind=FindingKind.MISSED,
                 occurred_at=deadline.due_at, minutes=overdue,
                 evidence=_deadline_evidence(deadline, changes),
                 summary=_("%(kind)s（%(clause)s）漏报：应于 %(due)s 前完成，已判定超时，"
                           "至今未履行，责任单位 %(unit)s") % {
                     "kind": deadline.get_kind_display(), "clause": deadline.clause,
                     "due": local_time(deadline.due_at), "unit": deadline.owed_by_unit})


def _recorded_late(incident: Incident, deadlines: list[Deadline], changes: dict
                   ) -> list[Candidate]:
    """One finding per step recorded late (its timeline entry), with the deadlines that step
    met as evidence; and one per deadline recorded late by a step within the tolerance."""
    found, covered = [], set()
    entries = incident.timeline.filter(recorded_late=True).select_related("actor__person__unit")
    for entry in entries:
        met = [d for d in deadlines if d.met_at == entry.occurred_at]
        covered.update(d.pk for d in met)
        person = getattr(entry.actor, "person", None) if entry.actor_id else None
        minutes = round((entry.recorded_at - entry.occurred_at).total_seconds() / 60)
        rows = [evidence("timeline_entry", entry.pk, entry.recorded_at,
                         _("%(event)s：称于 %(stated)s，%(recorded)s 记录；补录原因：%(reason)s") % {
                             "event": entry.get_event_display(),
                             "stated": local_time(entry.occurred_at),
                             "recorded": local_time(entry.recorded_at),
                             "reason": entry.late_reason or "—"})]
        for deadline in met:
            rows += _deadline_evidence(deadline, changes)
        found.append(Candidate(
            key=f"recorded_late:entry:{entry.pk}", kind=FindingKind.RECORDED_LATE,
            incident=incident, entry=entry, person=person,
            unit=person.unit if person else incident.owner_unit,
            deadline=met[0] if met else None, occurred_at=entry.occurred_at, minutes=minutes,
            evidence=rows,
            summary=_("%(event)s补录：称于 %(stated)s 完成，%(m)s 分钟后（%(recorded)s）才记录") % {
                "event": entry.get_event_display(), "stated": local_time(entry.occurred_at),
                "m": minutes, "recorded": local_time(entry.recorded_at)}))
    for deadline in deadlines:
        if deadline.pk in covered:
            continue
        minutes = round((deadline.met_recorded_at - deadline.met_at).total_seconds() / 60)
        found.append(_owed(
            deadline, key=f"recorded_late:deadline:{deadline.pk}",
            kind=FindingKind.RECORDED_LATE, occurred_at=deadline.met_at, minutes=minutes,
            evidence=_deadline_evidence(deadline, changes),
            summary=_("%(kind)s（%(clause)s）补录：称于 %(stated)s 履行，截止 %(due)s 后的 "
                      "%(recorded)s 才记录") % {
                "kind": deadline.get_kind_display(), "clause": deadline.clause,
                "stated": local_time(deadline.met_at), "due": local_time(deadline.due_at),
                "recorded": local_time(deadline.met_recorded_at)}))
    return found


@dataclass
class Knowledge:
    """A sign that someone knew of the incident at `at`, and which unit."""

    at: datetime
    unit: Unit | None
    row: dict


def _concealed(incident: Incident) -> Candidate | None:
    """瞒报: the record shows the incident was known more than the plan's backdating tolerance
    before its recorded discovery, so every window counted from discovery started late."""
    cutoff = incident.discovered_at - timedelta(minutes=incident.plan.backdate_tolerance_minutes)
    signs = sorted(_earlier_knowledge(incident, cutoff), key=lambda k: k.at)
    if not signs:
        return None
    first = signs[0]
    minutes = round((incident.discovered_at - first.at).total_seconds() / 60)
    return Candidate(
        key=f"concealed:incident:{incident.pk}", kind=FindingKind.CONCEALED, incident=incident,
        unit=first.unit or incident.owner_unit, person=incident.discovered_by,
        occurred_at=first.at, minutes=minutes, evidence=[k.row for k in signs],
        summary=_("瞒报嫌疑：登记的发现时间为 %(discovered)s，但记录显示 %(first)s 已知悉"
                  "（早 %(m)s 分钟），各项时限均自登记时间起算") % {
            "discovered": local_time(incident.discovered_at), "first": local_time(first.at),
            "m": minutes})


def _earlier_knowledge(incident: Incident, cutoff: datetime) -> list[Knowledge]:
    signs = []
    for entry in incident.timeline.filter(occurred_at__lt=cutoff).select_related(
            "actor__person__unit"):
        person = getattr(entry.actor, "person", None) if entry.actor_id else None
        signs.append(Knowledge(entry.occurred_at, person.unit if person else None, evidence(
            "timeline_entry", entry.pk, entry.occurred_at,
            _("时间线记录“%(event)s”发生于 %(at)s") % {
                "event": entry.get_event_display(), "at": local_time(entry.occurred_at)})))
    for snapshot in incident.metrics.filter(recorded_at__lt=cutoff).select_related(
            "recorded_by__person__unit"):
        person = getattr(snapshot.recorded_by, "person", None) if snapshot.recorded_by_id else None
        signs.append(Knowledge(snapshot.recorded_at, person.unit if person else None, evidence(
            "snapshot", snapshot.pk, snapshot.recorded_at,
            _("传播数据快照记录于 %(at)s（点击 %(clicks)s，评论 %(comments)s）") % {
                "at": local_time(snapshot.recorded_at), "clicks": snapshot.clicks,
                "comments": snapshot.comments})))
    for duplicate in incident.duplicates.filter(discovered_at__lt=cutoff).select_related(
            "owner_unit"):
        signs.append(Knowledge(duplicate.discovered_at, duplicate.owner_unit, evidence(
            "incident", duplicate.pk, duplicate.discovered_at,
            _("重复事件 #%(pk)s“%(title)s”发现于 %(at)s，已合并至此") % {
                "pk": duplicate.pk, "title": duplicate.title,
                "at": local_time(duplicate.discovered_at)})))
    signs += _leads_before(incident, cutoff)
    return signs


def _leads_before(incident: Incident, cutoff: datetime) -> list[Knowledge]:
    """Leads of the monitoring intake (when installed) received before the cutoff."""
    if not apps.is_installed("intake"):
        return []
    lead_model = apps.get_model("intake", "Lead")
    return [Knowledge(lead.received_at, lead.unit, evidence(
        "lead", lead.pk, lead.received_at,
        _("线索“%(title)s”于 %(at)s 接收（%(unit)s）") % {
            "title": lead.title, "at": local_time(lead.received_at), "unit": lead.unit}))
        for lead in lead_model.objects.filter(incident=incident, received_at__lt=cutoff)
        .select_related("unit")]
