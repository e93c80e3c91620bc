"""Tracking until resolved (C22): after the response the office names who keeps tracking; a
tracking check falls due on the plan's cadence until the office records the incident resolved;
new heat while tracking is a relapse that reopens handling (follow-up reports are owed again).
Naming the tracker and recording resolution are the office's: declared on the verbs
(incidents.verbs, office_only) and checked by step.authorise."""
from django.utils.translation import gettext as _

from opinion_ops.errors import InvalidInput
from organisation.models import Person
from plans.models import DeadlineKind

from .. import deadlines
from ..models import Event, Incident, MetricSnapshot, State
from .step import Step, StepContext, step_context


def _require_responded(incident: Incident) -> None:
    if incident.state != State.RESPONDED:
        raise InvalidInput({"state": _("事件处置回应后才进入跟踪（当前：%s）")
                            % incident.get_state_display()})


def _tracker(incident: Incident) -> Person | None:
    row = incident.deadlines.filter(kind=DeadlineKind.TRACKING_CHECK).order_by("-sequence") \
        .select_related("owed_by_person").first()
    return row.owed_by_person if row else None


def _open_next_check(s: StepContext, person: Person) -> None:
    """The next tracking check, owed by the tracker, due on the plan's cadence from now."""
    s.open(DeadlineKind.TRACKING_CHECK, start=s.at, owed_by_unit=person.unit,
           owed_by_person=person, repeat=True)


def resolved(incident: Incident) -> bool:
    """Recorded resolved, and no relapse since."""
    last = (incident.timeline.filter(event__in=[Event.RESOLVED, Event.RELAPSED])
            .order_by("-id").values_list("event", flat=True).first())
    return last == Event.RESOLVED


def assign_tracker(incident: Incident, actor, *, person: Person, step: Step = Step(),
                   expected_revision: int | None = None) -> Incident:
    with step_context(incident, actor, "tracking", step,
                      expected_revision=expected_revision) as s:
        _require_responded(s.incident)
        if resolved(s.incident):
            raise InvalidInput({"state": _("事件已确认化解")})
        deadlines.cancel_pending(s.incident, reason=_("改由%s跟踪") % person.name,
                                 actor=s.actor, kinds=[DeadlineKind.TRACKING_CHECK])
        s.record(Event.TRACKING_ASSIGNED, clause="C22", recipient=person.name,
                 data={"person": person.pk})
        _open_next_check(s, person)
    return s.incident


def check_tracking(incident: Incident, actor, *, step: Step = Step(),
                   expected_revision: int | None = None) -> Incident:
    """A tracking check done: it meets the one due, and the next falls due on the cadence."""
    with step_context(incident, actor, "tracking-check", step,
                      expected_revision=expected_revision) as s:
        _require_responded(s.incident)
        person = _tracker(s.incident)
        if person is None or resolved(s.incident):
            raise InvalidInput({"state": _("本事件没有进行中的跟踪")})
        s.record(Event.TRACKING_CHECKED, clause="C22")
        s.meet(DeadlineKind.TRACKING_CHECK)
        _open_next_check(s, person)
    return s.incident


def resolve_incident(incident: Incident, actor, *, step: Step = Step(),
                     expected_revision: int | None = None) -> Incident:
    with step_context(incident, actor, "resolve", step,
                      expected_revision=expected_revision) as s:
        _require_responded(s.incident)
        if resolved(s.incident):
            raise InvalidInput({"state": _("事件已确认化解")})
        s.record(Event.RESOLVED, clause="C22")
        deadlines.cancel_pending(s.incident, reason=_("已确认化解"), actor=s.actor,
                                 kinds=[DeadlineKind.TRACKING_CHECK, DeadlineKind.BULLETIN])
    return s.incident


def relapse_if_hotter(s: StepContext, previous: MetricSnapshot | None, clicks: int,
                      comments: int) -> bool:
    """Called by record_metrics: new heat on a responded incident, resolved or not, reopens
    handling: back to classified (to be responded to again), follow-up reports owed again
    (C05), the tracking checks and the summary no longer owed until then; the timeline says
    so (C22)."""
    incident = s.incident
    if incident.state != State.RESPONDED or previous is None:
        return False
    if clicks <= previous.clicks and comments <= previous.comments:
        return False
    s.transition("reopen")
    s.record(Event.RELAPSED, clause="C22",
             note=_("跟踪期间热度回升：点击 %(c0)s→%(c1)s，评论 %(m0)s→%(m1)s，重新处置") % {
                 "c0": previous.clicks, "c1": clicks, "m0": previous.comments, "m1": comments},
             data={"from_state": State.RESPONDED, "to_state": State.CLASSIFIED})
    deadlines.cancel_pending(incident, reason=_("舆情反弹，重新处置"), actor=s.actor,
                             kinds=[DeadlineKind.TRACKING_CHECK, DeadlineKind.SUMMARY])
    deadlines.open_deadline(incident, DeadlineKind.FOLLOW_UP, start=s.at,
                            owed_by_unit=incident.owner_unit, actor=s.actor, repeat=True)
    return True
