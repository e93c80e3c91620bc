"""Compliance figures for a period and a unit (C19–C21): incidents by severity and category,
time to report, to respond and to resolve (median, p90), the share of each deadline kind met
in time, late and missed counts, overdue referrals and confirmed findings.

The period is of local days (Asia/Shanghai), both ends included, over the incidents
discovered in it. With a unit: the incidents it owns, the deadlines it owes on the period's
incidents (whoever owns them), and the findings attributed to it. Every reading of a deadline
is DeadlineQuerySet's. A constant number of queries, whatever the period holds.
"""
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from incidents.models import Category, Deadline, Event, Incident, Severity, TimelineEntry
from organisation.models import Unit
from plans.models import DeadlineKind

from .models import Finding, FindingKind, FindingStatus

REFERRAL_KINDS = (DeadlineKind.REFERRAL_FORWARD, DeadlineKind.REFERRAL_REPLY)
DEADLINE_MEASURES = ("due", "met_in_time", "late", "missed", "recorded_late")


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))


def nearest_rank(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `share` of all at or
    below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered, middle = sorted(values), len(values) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def durations(pairs) -> dict:
    minutes = [round((end - start).total_seconds() / 60, 1) for start, end in pairs
               if start is not None and end is not None]
    return {"count": len(minutes), "median": median(minutes),
            "p90": nearest_rank(minutes, 0.9)}


def compliance(period: Period, unit: Unit | None = None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    discovered = Incident.objects.filter(discovered_at__gte=period.start,
                                         discovered_at__lt=period.end)
    owned = discovered.filter(owner_unit=unit) if unit else discovered
    owed = Deadline.objects.filter(incident__in=discovered.values("pk"))
    if unit:
        owed = owed.filter(owed_by_unit=unit)
    reviewed = TimelineEntry.objects.filter(incident=OuterRef("pk"), event=Event.REVIEWED) \
        .order_by("chain_index").values("occurred_at")[:1]
    times = list(owned.annotate(reviewed_at=Subquery(reviewed)).values_list(
        "discovered_at", "reported_at", "subsided_at", "reviewed_at"))
    per_kind = deadline_figures(owed, now)
    findings = Finding.objects.filter(incident__in=discovered.values("pk"),
                                      status=FindingStatus.CONFIRMED)
    if unit:
        findings = findings.filter(unit=unit)
    confirmed = dict(findings.values_list("kind").annotate(n=Count("pk")).order_by())
    return {
        "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()},
        "unit": {"id": unit.pk, "name": unit.name} if unit else None,
        "computed_at": now.isoformat(),
        "incidents": {
            "total": len(times),
            "by_severity": _counted(owned, "severity", Severity),
            "by_category": _counted(owned, "category", Category),
        },
        "time_to_report_minutes": durations((d, r) for d, r, _s, _v in times),
        "time_to_respond_minutes": durations((d, s) for d, _r, s, _v in times),
        "time_to_resolve_minutes": durations((d, v) for d, _r, _s, v in times),
        "deadlines": per_kind,
        "late": sum(row["late"] for row in per_kind),
        "missed": sum(row["missed"] for row in per_kind),
        "overdue_referrals": owed.filter(kind__in=REFERRAL_KINDS).overdue(now).count(),
        "confirmed_findings": {kind: confirmed.get(kind, 0) for kind in FindingKind.values},
    }


def _counted(incidents, name: str, choices) -> dict:
    counts = dict(incidents.values_list(name).annotate(n=Count("pk")).order_by())
    result = {code: counts.pop(code, 0) for code in choices.values}
    if sum(counts.values()):
        result["unclassified"] = sum(counts.values())  # not yet classified
    return result


def deadline_figures(owed, now: datetime) -> list[dict]:
    """Per deadline kind: how many fell due, and of those how many were met in time, met late,
    missed (still owed past due), and met at a time stated in the window but recorded after it.
    A deadline not yet due or cancelled is not counted."""
    due = owed.exclude(state=Deadline.State.CANCELLED).exclude(
        state=Deadline.State.PENDING, due_at__gt=now)
    measures = {
        "due": due,
        "met_in_time": due.in_time(now).filter(met_at__isnull=False),
        "late": due.late().filter(met_at__gt=F("due_at")),
        "missed": due.overdue(now),
        "recorded_late": due.recorded_late(),
    }
    counts = {name: dict(rows.values_list("kind").annotate(n=Count("pk")).order_by())
              for name, rows in measures.items()}
    rows = []
    for kind in DeadlineKind.values:
        if not counts["due"].get(kind):
            continue
        row = {"kind": kind, "label": str(DeadlineKind(kind).label)}
        row.update({name: counts[name].get(kind, 0) for name in DEADLINE_MEASURES})
        row["share_met_in_time"] = round(row["met_in_time"] / row["due"], 4)
        rows.append(row)
    return rows
