"""Who approves a draft, and whether an incident has the response its plan asks for (C10a,
C16, C17). The answers come from the plan's ApprovalRule rows, never from constants here."""
from django.utils.translation import gettext as _

from incidents.models import Event, Incident
from organisation import roles
from organisation.models import Person, Unit
from plans.choices import ApprovalQuorum, ApproverAudience, RespondGate, Severity
from plans.models import ApprovalRule

from .models import Decision, DraftVersion, ResponseDraft

AUDIENCE_ROLE = {
    ApproverAudience.OWNER_UNIT_HEAD: roles.DEPARTMENT_HEAD,
    ApproverAudience.LEADERSHIP: roles.LEADERSHIP_MEMBER,
}


def severity_of(incident: Incident) -> str:
    """An incident not yet classified is handled as general until it is."""
    return incident.severity or Severity.GENERAL


def rules_at(incident: Incident) -> dict[str, ApprovalRule]:
    """For each kind the plan has a rule for, the rule that applies at the incident's severity:
    the one with the highest `from_severity` not above it."""
    rank = Severity.rank(severity_of(incident))
    chosen: dict[str, ApprovalRule] = {}
    for rule in incident.plan.approval_rules.all():
        if Severity.rank(rule.from_severity) > rank:
            continue
        held = chosen.get(rule.kind)
        if held is None or Severity.rank(rule.from_severity) > Severity.rank(held.from_severity):
            chosen[rule.kind] = rule
    return chosen


def rule_for(incident: Incident, kind: str) -> ApprovalRule | None:
    return rules_at(incident).get(kind)


def approvers(incident: Incident, rule: ApprovalRule) -> list[Person]:
    """The people who may approve under `rule` on this incident."""
    if rule.audience == ApproverAudience.ACCOUNTABLE_LEADER:
        return [incident.accountable_leader]
    people = Person.objects.filter(user__groups__name=AUDIENCE_ROLE[rule.audience],
                                   user__is_active=True).select_related("unit", "user")
    if rule.audience == ApproverAudience.OWNER_UNIT_HEAD:
        people = people.filter(unit=incident.owner_unit)
    else:
        people = people.filter(unit__kind=Unit.Kind.LEADERSHIP)
    return list(people.order_by("pk").distinct())


def owed_by(incident: Incident, rule: ApprovalRule) -> tuple[Unit, Person | None]:
    """Who owes the approval window (the deadline's owing unit and person)."""
    if rule.audience == ApproverAudience.ACCOUNTABLE_LEADER:
        return incident.accountable_leader.unit, incident.accountable_leader
    if rule.audience == ApproverAudience.OWNER_UNIT_HEAD:
        return incident.owner_unit, None
    leadership = Unit.objects.filter(kind=Unit.Kind.LEADERSHIP).order_by("pk").first()
    return leadership or incident.owner_unit, None


def authors(draft: ResponseDraft) -> set[int]:
    """Everyone who wrote a version of the draft: none of them may approve it."""
    # Through .all(), so that a caller that prefetched the versions pays no query per draft.
    return {version.author_id for version in draft.versions.all() if version.author_id}


def quorum_reached(draft: ResponseDraft, version: DraftVersion, rule: ApprovalRule) -> bool:
    approved = set(Decision.objects.filter(version=version, verdict=Decision.Verdict.APPROVE)
                   .values_list("approver_id", flat=True))
    if rule.quorum == ApprovalQuorum.ANY:
        return bool(approved)
    writers = authors(draft)
    required = {p.pk for p in approvers(draft.incident, rule) if p.user_id not in writers}
    return bool(required) and required <= approved


def _satisfies(incident: Incident, rule: ApprovalRule) -> bool:
    floor = Severity.rank(rule.from_severity)
    versions = DraftVersion.objects.filter(draft__incident=incident, draft__kind=rule.kind,
                                           approved_under__isnull=False)
    if rule.gates_respond == RespondGate.PUBLISHED:
        versions = versions.filter(publications__isnull=False)
    return any(Severity.rank(v.approved_under.from_severity) >= floor
               for v in versions.select_related("approved_under"))


def respond_objection(incident: Incident) -> str:
    """The condition on `respond` (incidents.conditions): what the plan asks of the incident's
    response at its severity. For a major incident, a published response approved under the
    major rules (C16, C17); for a general one, the approved unified reply, or the referral's
    answer approved by the office (C10a, C12; read from the timeline, REFERRAL_APPROVED)."""
    gates = [rule for rule in rules_at(incident).values()
             if rule.gates_respond != RespondGate.NONE]
    if not gates or any(_satisfies(incident, rule) for rule in gates):
        return ""
    answers_suffice = any(rule.gates_respond == RespondGate.APPROVED for rule in gates)
    if answers_suffice and incident.timeline.filter(event=Event.REFERRAL_APPROVED).exists():
        return ""
    kinds = "、".join(sorted({rule.get_kind_display() for rule in gates}))
    values = {"severity": Severity(severity_of(incident)).label, "kinds": kinds}
    if answers_suffice:
        return _("%(severity)s事件办结前须有经审定的回应（%(kinds)s）或经舆情办审定的抄告单答复"
                 ) % values
    return _("%(severity)s事件办结前须至少有一份经审定并由新闻发言人发布的回应（%(kinds)s）"
             ) % values


def approver_of_record(incident: Incident) -> tuple[Person, "object"] | None:
    """Who signed for the incident last, and when: the approver whose decision completed the
    approval of its most recently approved version (C16). The 签发人 of a document on the
    incident is this person, or nobody — never a name configured somewhere that nobody signed
    as."""
    version = DraftVersion.objects.filter(draft__incident=incident, approved_at__isnull=False) \
        .order_by("-approved_at", "-id").first()
    if version is None:
        return None
    decision = version.decisions.filter(verdict=Decision.Verdict.APPROVE) \
        .select_related("approver").order_by("-decided_at", "-id").first()
    return (decision.approver, version.approved_at) if decision else None
