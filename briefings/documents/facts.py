"""The reads a document is made from, loaded in a few queries and handed over as plain lists."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from incidents.models import (Deadline, EscalationNotice, Event, Incident, MetricSnapshot,
                              TimelineEntry)

from .common import choice, event_label, is_english, say, short_time

# The steps people took, as opposed to what the deadline engine wrote about them.
MEASURE_EVENTS = [
    Event.REPORTED, Event.VERBAL_REPORT, Event.WRITTEN_REPORT, Event.FOLLOW_UP_REPORT,
    Event.SUPERIOR_REPORT, Event.CLASSIFIED, Event.SEVERITY_UPGRADED, Event.RESPONDED,
    Event.BRIEFING_FILED, Event.OWNER_CHANGED, Event.LEADER_CHANGED, Event.REVIEWED,
    Event.DISMISSED, Event.MERGED, Event.NOTE,
]
REPORT_EVENTS = [Event.WRITTEN_REPORT, Event.FOLLOW_UP_REPORT]


@dataclass
class IncidentFacts:
    incident: Incident
    timeline: list
    deadlines: list
    metrics: list

    def entries(self, events=None, since: datetime | None = None) -> list:
        return [entry for entry in self.timeline
                if (events is None or entry.event in events)
                and (since is None or entry.recorded_at > since)]

    def last_report_at(self) -> datetime | None:
        """When the last written or follow-up report was filed (the start of 'since then')."""
        reports = self.entries(REPORT_EVENTS)
        return reports[-1].recorded_at if reports else None


def _deadlines() -> QuerySet:
    notices = EscalationNotice.objects.order_by("level").prefetch_related("recipients")
    return (Deadline.objects.select_related("owed_by_unit", "owed_by_person", "met_by",
                                            "incident", "escalation__acknowledged_by")
            .prefetch_related(Prefetch("escalation__notices", queryset=notices))
            .order_by("due_at", "id"))


def incident_facts(incident_id: int) -> IncidentFacts:
    incident = Incident.objects.select_related(
        "owner_unit", "accountable_leader", "discovered_by__unit", "plan").get(pk=incident_id)
    timeline = list(TimelineEntry.objects.filter(incident=incident).order_by("occurred_at", "id"))
    metrics = list(MetricSnapshot.objects.filter(incident=incident).order_by("recorded_at", "id"))
    return IncidentFacts(incident, timeline, list(_deadlines().filter(incident=incident)), metrics)


def incident_version(incident: Incident) -> str:
    last = TimelineEntry.objects.filter(incident=incident).aggregate(last=Max("id"))["last"]
    return f"r{incident.revision}-t{last or 0}"


def period_bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The period's first and last instants in the office's time zone (both days included)."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(day_to + timedelta(days=1), time.min), zone)
    return start, end


def period_incidents(day_from: date, day_to: date) -> list:
    start, end = period_bounds(day_from, day_to)
    return list(Incident.objects.filter(discovered_at__gte=start, discovered_at__lt=end)
                .select_related("owner_unit").order_by("discovered_at", "id"))


def period_deadlines(day_from: date, day_to: date) -> list:
    """Deadlines of incidents discovered in the period."""
    start, end = period_bounds(day_from, day_to)
    return list(_deadlines().filter(incident__discovered_at__gte=start,
                                    incident__discovered_at__lt=end))


def period_version(day_from: date, day_to: date) -> str:
    last = TimelineEntry.objects.aggregate(last=Max("id"))["last"]
    return f"{day_from:%Y%m%d}-{day_to:%Y%m%d}-t{last or 0}"


def step_sentence(entry) -> str:
    """One timeline step as a sentence: when, who, how, to whom, what."""
    who = entry.actor_name or say("系统", "System")
    label = event_label(entry)
    detail = "；".join(part for part in (entry.note.rstrip("。；"), _detail(entry)) if part) \
        if not is_english() else "; ".join(part for part in (entry.note, _detail(entry)) if part)
    if is_english():
        how = f" ({choice(entry.channel, entry.get_channel_display())}" + (
            f", to {entry.recipient})" if entry.recipient else ")")
        how = how if entry.channel != "system" or entry.recipient else ""
        return f"{short_time(entry.occurred_at)}: {who} — {label}{how}" + (
            f": {detail}" if detail else ".")
    how = ""
    if entry.channel != "system":
        how = f"以{entry.get_channel_display()}方式"
    to = f"向{entry.recipient}" if entry.recipient else ""
    text = f"{short_time(entry.occurred_at)}，{who}{how}{to}{label}"
    return text + (f"：{detail}" if detail else "") + "。"


FOLLOW_UP_LABELS = (("progress", "处置进展：", "progress: "),
                    ("developments", "新情况：", "new developments: "),
                    ("next_steps", "下一步：", "next steps: "))


def _detail(entry) -> str:
    data = entry.data or {}
    if entry.event == Event.FOLLOW_UP_REPORT:  # C05: progress, new developments, next steps
        return say("；", "; ").join(say(zh, en) + str(data[key])
                                    for key, zh, en in FOLLOW_UP_LABELS if data.get(key))
    if data.get("response"):
        return say("回应内容：", "response: ") + str(data["response"])
    if data.get("findings"):
        return say("复盘结论：", "findings: ") + str(data["findings"])
    return ""
