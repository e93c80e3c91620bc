"""Closing: the response (C10, C16), the written summary (C19), the review (C20, C21), and the
two ways an incident ends early: dismissed, or merged into the one it duplicates."""
from django.db import transaction
from django.utils.translation import gettext as _

from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from organisation.actors import person_of
from organisation.models import Unit
from organisation.policy import is_office
from plans.models import DeadlineKind

from .. import conditions, deadlines
from ..models import Channel, Deadline, Event, Incident, Stage, State
from .step import Step, clause_for, step_context


def respond_incident(incident: Incident, actor, stated: Step, *, response: str,
                     expected_revision: int | None = None) -> Incident:
    """C10, C16: the response is given and the incident has subsided; follow-ups end and the
    written summary falls due (C19). Capability apps' conditions on it are asked first (C16,
    C17: a major incident needs a published approved response; incidents.conditions)."""
    if not response:
        raise InvalidInput({"response": _("请填写回应内容")})
    with step_context(incident, actor, "respond", stated,
                      expected_revision=expected_revision) as s:
        s.transition()
        objection = conditions.refusal("respond", s.incident)
        if objection:
            raise TransitionNotAllowed("respond", s.from_state, State(s.from_state).label,
                                       reason=objection)
        s.record(Event.RESPONDED, clause="C16", data={"response": response})
        s.incident.subsided_at = s.at
        s.incident.stage = Stage.ENDING
        # An incident answered without a referral slip needs no forwarding any more (C11);
        # playbook steps still pending when it is answered are cancelled on the record
        # (C10a–d; breaches stand). The bulletin goes on until the office records the
        # incident resolved (C18, C22: resolve_incident ends it).
        deadlines.cancel_pending(s.incident, reason=_("事件已平息"), actor=actor,
                                 kinds=[DeadlineKind.FOLLOW_UP, DeadlineKind.REFERRAL_FORWARD,
                                        DeadlineKind.PLAYBOOK_STEP])
        # C19: each department involved owes its own written summary within the plan's window.
        for unit in involved_units(s.incident):
            s.open(DeadlineKind.SUMMARY, start=s.at, owed_by_unit=unit, repeat=True)
    return s.incident


# Obligations of the handling itself: a department held to one took part in it (C19). A unit
# that only reported the incident to the office (C01) did not.
HANDLING_KINDS = (DeadlineKind.REFERRAL_REPLY, DeadlineKind.PLAYBOOK_STEP,
                  DeadlineKind.MEETING_TASK, DeadlineKind.RESPONSE_APPROVAL)


def involved_units(incident: Incident) -> list[Unit]:
    """The units that owe a written summary (C19): the owner unit, and every department that
    was held to a step of the handling (a referral reply, a playbook step, a meeting task, the
    approval of a reply)."""
    owing = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, pk__in=incident.deadlines.filter(
        kind__in=HANDLING_KINDS).values("owed_by_unit"))
    return [incident.owner_unit, *owing.exclude(pk=incident.owner_unit_id).order_by("name")]


def _summary_rows(incident: Incident, actor, unit: Unit | None):
    """The summary rows this filing meets: the named unit's; by default the actor's own unit's
    when it owes one, else the owner unit's. A department files only its own (the office, on
    anyone's behalf)."""
    rows = Deadline.objects.filter(kind=DeadlineKind.SUMMARY)
    person = person_of(actor) if actor is not None else None
    if unit is None:
        own = person is not None and incident.deadlines.filter(
            kind=DeadlineKind.SUMMARY, owed_by_unit=person.unit_id).exists()
        unit = person.unit if own else incident.owner_unit
    elif actor is not None and not is_office(actor) and (person is None
                                                         or person.unit_id != unit.pk):
        raise NotPermitted(_("只能报送本单位的书面总结"))
    if not incident.deadlines.filter(kind=DeadlineKind.SUMMARY, owed_by_unit=unit).exists():
        raise InvalidInput({"unit": _("%s不欠本事件的书面总结") % unit.name})
    return unit, rows.filter(owed_by_unit=unit)


def file_summary(incident: Incident, actor, stated: Step, *,
                 expected_revision: int | None = None, briefing_id: int | None = None,
                 unit: Unit | None = None) -> Incident:
    """C19: a department's written summary after the incident subsided (also on a closed
    incident, when the summary comes after the record was closed); it meets that department's
    own summary deadline, not the others'."""
    with step_context(incident, actor, "summary", stated, expected_revision=expected_revision,
                      open_only=False) as s:
        unit, rows = _summary_rows(s.incident, actor, unit)
        data = {"unit": unit.pk, **({"briefing": briefing_id} if briefing_id else {})}
        s.record(Event.BRIEFING_FILED, channel=Channel.WRITTEN,
                 note=stated.note or _("%s书面总结已报送") % unit.name,
                 clause=clause_for(s.incident, DeadlineKind.SUMMARY), data=data)
        deadlines.meet_rows(s.incident, rows, at=s.at, recorded_at=s.now, actor=actor)
    return s.incident


def review_incident(incident: Incident, actor, stated: Step, *, findings: str,
                    expected_revision: int | None = None) -> Incident:
    """C20, C21: the review and assessment, with its accountability findings. It closes the
    incident, so it comes after the written summary (C19) and every other obligation, or a
    closed incident would go on escalating."""
    if not findings:
        raise InvalidInput({"findings": _("请填写复盘结论")})
    with step_context(incident, actor, "review", stated,
                      expected_revision=expected_revision) as s:
        s.transition()
        pending = list(s.incident.deadlines.filter(state=Deadline.State.PENDING)
                       .order_by("due_at"))
        if pending:
            raise TransitionNotAllowed("review", State.RESPONDED, State.RESPONDED.label,
                                       reason=_("尚有未履行的时限：%s") % "、".join(
                                           f"{d.get_kind_display()}（{d.clause}）"
                                           for d in pending))
        # C19: a summary the sweep breached is still owed: review needs every department's.
        unfiled = list(s.incident.deadlines.filter(kind=DeadlineKind.SUMMARY,
                                                   met_at__isnull=True)
                       .select_related("owed_by_unit"))
        if unfiled:
            raise TransitionNotAllowed("review", State.RESPONDED, State.RESPONDED.label,
                                       reason=_("尚未收到书面总结：%s") % "、".join(
                                           d.owed_by_unit.name for d in unfiled))
        objection = conditions.refusal("review", s.incident)
        if objection:
            raise TransitionNotAllowed("review", State.RESPONDED, State.RESPONDED.label,
                                       reason=objection)
        s.record(Event.REVIEWED, clause="C20", data={"findings": findings})
    return s.incident


def dismiss_incident(incident: Incident, actor, stated: Step, *,
                     expected_revision: int | None = None) -> Incident:
    """Judged not to be a public-opinion incident: its obligations end."""
    if not stated.note:
        raise InvalidInput({"note": _("请说明排除理由")})
    with step_context(incident, actor, "dismiss", stated,
                      expected_revision=expected_revision) as s:
        s.transition()
        s.record(Event.DISMISSED)
        deadlines.cancel_pending(s.incident, reason=_("已排除"), actor=actor)
    return s.incident


def merge_incident(incident: Incident, actor, stated: Step, *, into: Incident,
                   expected_revision: int | None = None) -> Incident:
    """A duplicate: its record continues on `into`, and its own obligations end."""
    if into.pk == incident.pk:
        raise InvalidInput({"into": _("不能合并到自身")})
    with transaction.atomic():
        # Both rows are locked, lower pk first, before either is read: two crossed merges
        # (A→B and B→A) then queue behind each other instead of deadlocking, and the second
        # reads the first one's result (its target is merged, no longer open) instead of a
        # stale copy, so no two incidents end up merged into each other.
        list(Incident.objects.select_for_update(of=("self",))
             .filter(pk__in=[incident.pk, into.pk]).order_by("pk").values_list("pk"))
        into = Incident.objects.get(pk=into.pk)
        if not into.is_open:
            raise InvalidInput({"into": _("目标事件已结束（%s）") % into.get_state_display()})
        if _merged_chain_reaches(into, incident.pk):
            raise InvalidInput({"into": _("目标事件已合并至本事件，不能互相合并")})
        with step_context(incident, actor, "merge", stated,
                          expected_revision=expected_revision) as s:
            # The transition's condition reads the target, so it is set before it fires.
            s.incident.merged_into = into
            s.transition()
            s.record(Event.MERGED, data={"into": into.pk})
            deadlines.cancel_pending(s.incident, reason=_("已合并至 #%s") % into.pk,
                                     actor=actor)
            s.record(Event.NOTE, incident=into, channel=Channel.SYSTEM, recipient="",
                     note=_("事件 #%(pk)s“%(title)s”合并至此") % {
                         "pk": s.incident.pk, "title": s.incident.title},
                     data={"merged": s.incident.pk})
    return s.incident


def _merged_chain_reaches(start: Incident, pk: int) -> bool:
    """Whether following merged_into from `start` arrives at `pk` (a merge would close a
    cycle)."""
    seen, current = set(), start.merged_into_id
    while current is not None and current not in seen:
        if current == pk:
            return True
        seen.add(current)
        current = Incident.objects.filter(pk=current).values_list("merged_into", flat=True) \
            .first()
    return False
