"""The major procedure's press side (C14, C17, C18): the press group and its one spokesperson,
the obligations a major incident starts, and the bulletin issued again until it is resolved."""
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import deadlines
from incidents.actions.step import Step, step_context
from incidents.actions.tracking import resolved
from incidents.models import Event, Incident
from opinion_ops.errors import InvalidInput, NotPermitted
from organisation import roles
from organisation.actors import person_of
from organisation.models import Person, Unit
from plans.models import DeadlineKind

from .models import PressGroup


def designate_spokesperson(incident: Incident, actor, *, person: Person, members=(),
                           step: Step = Step(),
                           expected_revision: int | None = None) -> Incident:
    """C14, C17: the leadership group sets up the incident's press group and designates its one
    spokesperson; a change of spokesperson is on the timeline with the one it replaces. Only
    the spokesperson (or whom they name for a release) may publish."""
    if not person.user.groups.filter(name=roles.SPOKESPERSON).exists():
        raise InvalidInput({"person": _("%s不具有新闻发言人角色") % person.name})
    if actor is not None and not actor.is_superuser and \
            not actor.groups.filter(name=roles.LEADERSHIP_MEMBER).exists():
        raise NotPermitted(_("新闻发言人由领导小组指定"))
    with step_context(incident, actor, "spokesperson", step,
                      expected_revision=expected_revision) as s:
        group = PressGroup.objects.select_for_update().filter(incident=s.incident).first()
        if group is None:
            group = PressGroup.objects.create(incident=s.incident, set_up_at=s.at)
            s.record(Event.PRESS_GROUP_SET_UP, clause="C14",
                     note=_("成立新闻发布组"), data={"press_group": group.pk})
        previous = group.spokesperson
        if previous is not None and previous.pk == person.pk:
            raise InvalidInput({"person": _("%s已是本事件的新闻发言人") % person.name})
        group.spokesperson = person
        group.save(update_fields=["spokesperson"])
        group.members.add(person, *members)
        s.record(Event.SPOKESPERSON_DESIGNATED, clause="C14", recipient=person.name,
                 note=(_("新闻发言人由%(old)s改为%(new)s") % {"old": previous.name,
                                                          "new": person.name}
                       if previous else _("指定%s为新闻发言人") % person.name),
                 data={"press_group": group.pk, "person": person.pk,
                       "previous": previous.pk if previous else None,
                       "members": sorted(m.pk for m in group.members.all())})
        s.meet(DeadlineKind.PRESS_GROUP)
    return s.incident


def issue_bulletin(incident: Incident, actor, *, step: Step,
                   expected_revision: int | None = None) -> Incident:
    """C18: the office issues the incident bulletin (网络舆情通报); while the incident is open
    at major or above and not yet resolved (C22), the next one falls due on the plan's
    cadence."""
    if actor is not None and not actor.is_superuser and \
            not actor.groups.filter(name=roles.OFFICE_STAFF).exists():
        raise NotPermitted(_("网络舆情通报由舆情办发布"))
    with step_context(incident, actor, "bulletin", step,
                      expected_revision=expected_revision) as s:
        s.record(Event.BULLETIN_ISSUED, clause="C18", recipient=_("领导小组及成员单位"))
        s.meet(DeadlineKind.BULLETIN)
        if s.incident.is_major and not resolved(s.incident):
            s.open(DeadlineKind.BULLETIN, start=s.at, owed_by_unit=office_of(s.incident),
                   repeat=True)
    return s.incident


def start_major_procedure(*, incident_id: int, major: bool, at: str | None = None,
                          **_payload) -> None:
    """C14, C18: when an incident becomes major, once: the office owes its report to the
    leadership group and the order to the involved unit to investigate (responses.procedure),
    the leadership group an emergency meeting and a press group with one spokesperson, and the
    office the bulletin on the plan's cadence. RECORD phase: the obligations stand or fall with
    the change that starts them."""
    if not major:
        return
    incident = Incident.objects.select_related("plan", "owner_unit").get(pk=incident_id)
    if incident.deadlines.filter(kind__in=[DeadlineKind.EMERGENCY_MEETING,
                                           DeadlineKind.PRESS_GROUP]).exists():
        return
    # From when it became major (the step's stated time), as the superior report counts.
    now = datetime.fromisoformat(at) if at else timezone.now()
    leadership, office = leadership_of(incident), office_of(incident)
    for kind in (DeadlineKind.OFFICE_REPORT, DeadlineKind.INVESTIGATION_ORDER):
        deadlines.open_deadline(incident, kind, start=now, owed_by_unit=office)
    deadlines.open_deadline(incident, DeadlineKind.EMERGENCY_MEETING, start=now,
                            owed_by_unit=leadership)
    if not PressGroup.objects.filter(incident=incident, spokesperson__isnull=False).exists():
        deadlines.open_deadline(incident, DeadlineKind.PRESS_GROUP, start=now,
                                owed_by_unit=leadership)
    deadlines.open_deadline(incident, DeadlineKind.BULLETIN, start=now,
                            owed_by_unit=office, repeat=True)


def leadership_of(incident: Incident) -> Unit:
    return Unit.objects.filter(kind=Unit.Kind.LEADERSHIP).order_by("pk").first() \
        or incident.owner_unit


def office_of(incident: Incident) -> Unit:
    return Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("pk").first() \
        or incident.owner_unit


def spokesperson_of(incident: Incident) -> Person | None:
    group = PressGroup.objects.filter(incident=incident).select_related("spokesperson").first()
    return group.spokesperson if group else None


def is_spokesperson(actor, incident: Incident) -> bool:
    person = person_of(actor)
    speaker = spokesperson_of(incident)
    return person is not None and speaker is not None and person.pk == speaker.pk
