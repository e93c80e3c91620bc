"""Detection: a monitor logs what was found, and the report obligations start (C01–C03, C06)."""
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events
from opinion_ops.errors import InvalidInput
from organisation.actors import person_of
from organisation.models import Person, Unit
from plans.models import DeadlineKind, ResponsePlan, WindowAnchor
from plans.versions import default_plan

from .. import deadlines
from ..models import Event, Incident
from ..timeline import record_event
from .step import authorise


def detect_incident(actor, *, title: str, summary: str, source_url: str, platform: str,
                    discovered_at: datetime, urgent: bool = False,
                    discovered_by: Person | None = None, owner_unit: Unit | None = None,
                    accountable_leader: Person | None = None,
                    plan: ResponsePlan | None = None, source_links: list | None = None,
                    related_units=(), note: str = "") -> Incident:
    """Log an incident a monitor found (C06) and start the report obligations (C01–C03).
    Its related departments are told at the same time as the office when it is reported
    (C01, the plan's announcement rules)."""
    authorise(actor, "detect", None)
    now = timezone.now()
    if discovered_at > now:
        raise InvalidInput({"discovered_at": _("发现时间不能晚于当前时间")})
    discovered_by = discovered_by or person_of(actor)
    owner_unit = owner_unit or Unit.objects.filter(kind=Unit.Kind.OFFICE).first()
    accountable_leader = accountable_leader or Person.objects.filter(
        unit__kind=Unit.Kind.LEADERSHIP).order_by("pk").first()
    errors = {}
    if owner_unit is None:
        errors["owner_unit"] = _("未指定责任单位，且系统中没有舆情办单位")
    if accountable_leader is None:
        errors["accountable_leader"] = _("未指定责任领导，且领导小组中没有成员")
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title, summary=summary, source_url=source_url, platform=platform,
            discovered_at=discovered_at, discovered_by=discovered_by, urgent=urgent,
            owner_unit=owner_unit, accountable_leader=accountable_leader,
            plan=plan or default_plan(), source_links=source_links or [])
        related = sorted(set(related_units), key=lambda unit: unit.pk)
        incident.related_units.set(related)
        record_event(incident, Event.DETECTED, actor, to_state=incident.state, note=note,
                     occurred_at=discovered_at,
                     data={"urgent": urgent,
                           "plan": f"{incident.plan.family} v{incident.plan.version}",
                           "related_units": [unit.name for unit in related]})
        owed_unit = discovered_by.unit if discovered_by else owner_unit
        open_report_obligations(incident, actor, owed_unit, discovered_by, now)
        events.publish(events.INCIDENT_DETECTED, incident_id=incident.pk)
        return incident


def open_report_obligations(incident, actor, owed_unit, owed_person, now) -> None:
    """C01/C03 always; C02's verbal and written reports for an urgent case (the written one
    only later when the plan counts it from the verbal report)."""
    kinds = [DeadlineKind.REPORT]
    if incident.urgent:
        kinds += [DeadlineKind.VERBAL_REPORT]
        written = incident.plan.rule_for(DeadlineKind.WRITTEN_REPORT)
        if written is not None and written.anchor != WindowAnchor.VERBAL_REPORT:
            kinds += [DeadlineKind.WRITTEN_REPORT]
    for kind in kinds:
        deadlines.open_deadline(incident, kind, start=now, owed_by_unit=owed_unit,
                                owed_by_person=owed_person, actor=actor)
