"""The review and assessment (C20): the record of who reviewed an incident (the leadership
group's members, invited experts), its conclusion and lessons, and the plan changes it
proposes; adopting a proposal opens a draft of the plan's next version.

The record is the audit's own: an auditor or a leadership member fills it while the incident
waits for its review (responded); the core's `review` verb, which marks the incident reviewed,
refuses until it is there (review_refusal, registered on incidents.conditions) and until every
department's written summary is in (C19, incidents.actions.closing).
"""
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.models import Incident, State
from opinion_ops.errors import InvalidInput, NotPermitted
from organisation import roles
from organisation.models import Person, Unit
from plans import versions
from plans.models import ResponsePlan

from .models import PlanChangeProposal, Review


def _require(actor, codename: str, label: str) -> None:
    if not actor.has_perm(f"audit.{codename}"):
        raise NotPermitted(_("您的角色无权%s") % label)


def _open_for_review(actor, incident: Incident) -> Incident:
    if not selectors.visible_incidents(actor).filter(pk=incident.pk).exists():
        raise NotPermitted(_("您无权查看该事件"))
    incident = Incident.objects.get(pk=incident.pk)
    if incident.state != State.RESPONDED:
        raise InvalidInput({"incident": _("只有已处置、尚未复盘的事件可以填写复盘评估记录（当前：%s）")
                            % incident.get_state_display()})
    return incident


def leadership_people():
    """Who may sit on a review: the leadership group's members (its unit's people, and anyone
    holding the leadership role)."""
    return Person.objects.filter(Q(user__groups__name=roles.LEADERSHIP_MEMBER)
                                 | Q(unit__kind=Unit.Kind.LEADERSHIP)).distinct().order_by("name")


def _experts(experts: list[dict]) -> list[dict]:
    rows = []
    for n, expert in enumerate(experts or []):
        name = str(expert.get("name") or "").strip()
        if not name:
            raise InvalidInput({"experts": _("第 %s 位专家未填写姓名") % (n + 1)})
        rows.append({"name": name[:100],
                     "affiliation": str(expert.get("affiliation") or "").strip()[:200]})
    return rows


def record_review(incident: Incident, actor, *, reviewers: list[Person], conclusion: str,
                  lessons: str, experts: list[dict] = ()) -> Review:
    """C20: write (or rewrite, until the incident is reviewed) the review's record."""
    _require(actor, "record_review", _("填写复盘评估记录"))
    errors = {}
    if not reviewers:
        errors["reviewers"] = _("请选择参加复盘的领导小组成员")
    elif set(p.pk for p in reviewers) - set(leadership_people().values_list("pk", flat=True)):
        errors["reviewers"] = _("复盘人员须为领导小组成员（特邀专家请填入专家栏）")
    for field, value in (("conclusion", conclusion), ("lessons", lessons)):
        if not (value or "").strip():
            errors[field] = _("请填写此项")
    if errors:
        raise InvalidInput(errors)
    experts = _experts(list(experts))
    with transaction.atomic():
        incident = _open_for_review(actor, incident)
        review, created = Review.objects.select_for_update().get_or_create(
            incident=incident, defaults=dict(conclusion=conclusion.strip(),
                                             lessons=lessons.strip(), experts=experts,
                                             created_by=actor))
        if not created:
            review.conclusion, review.lessons = conclusion.strip(), lessons.strip()
            review.experts, review.updated_at = experts, timezone.now()
            review.save(update_fields=["conclusion", "lessons", "experts", "updated_at"])
        review.reviewers.set(reviewers)
    return review


def propose_plan_change(review: Review, actor, *, proposal: str) -> PlanChangeProposal:
    """C20: the review proposes a change to the plan the incident ran under."""
    _require(actor, "record_review", _("填写复盘评估记录"))
    proposal = (proposal or "").strip()
    if not proposal:
        raise InvalidInput({"proposal": _("请填写修订建议")})
    incident = _open_for_review(actor, review.incident)
    return PlanChangeProposal.objects.create(review=review, plan=incident.plan,
                                             proposal=proposal, created_by=actor)


def adopt_plan_change(change: PlanChangeProposal, actor) -> PlanChangeProposal:
    """C20: the leadership group adopts a proposed change; it opens a draft of the plan's next
    version (or joins the family's draft already open), its change note carrying the proposal.
    The draft is edited and published in the plans' admin."""
    _require(actor, "adopt_plan_change", _("采纳预案修订建议"))
    with transaction.atomic():
        change = PlanChangeProposal.objects.select_for_update().select_related(
            "review", "plan").get(pk=change.pk)
        if not selectors.visible_incidents(actor).filter(pk=change.review.incident_id).exists():
            raise NotPermitted(_("您无权查看该事件"))
        if change.adopted_at is not None:
            raise InvalidInput({"proposal": _("该建议已于 %s 采纳") % change.adopted_at})
        draft = ResponsePlan.objects.filter(family=change.plan.family,
                                            published_at__isnull=True).order_by("-version").first()
        if draft is None:
            draft = versions.start_revision(versions.current_version(change.plan), actor)
        line = _("事件 #%(pk)s 复盘建议：%(text)s") % {"pk": change.review.incident_id,
                                                  "text": change.proposal}
        draft.change_note = "\n".join(filter(None, [draft.change_note, line]))
        draft.save(update_fields=["change_note"])
        change.adopted_at, change.adopted_by, change.draft = timezone.now(), actor, draft
        change.save(update_fields=["adopted_at", "adopted_by", "draft"])
    return change


def review_refusal(incident: Incident) -> str:
    """The core's `review` waits for the review's record (C20): reviewers, conclusion, lessons."""
    review = Review.objects.filter(incident=incident).first()
    if review is None or not review.reviewers.exists():
        return _("尚无复盘评估记录（复盘人员、评估结论与经验教训），请先在审计页面填写")
    return ""
