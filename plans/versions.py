"""Response plans: which version governs a new incident, and revising a plan into a new version.

A published version is never edited in place; incidents keep the version they started with.
"""
from django.db import transaction
from django.utils import timezone

from opinion_ops.errors import InvalidInput
from plans.models import (AnnouncementRule, ApprovalRule, DeadlineRule, EscalationStep,
                          PlaybookStep, ResponsePlan, SensitiveTopic)
from organisation.actors import acting_user

PLAN_VALUE_FIELDS = [
    "name", "major_clicks", "especially_major_clicks", "major_comments",
    "especially_major_comments", "major_mainstream_sites", "especially_major_mainstream_sites",
    "sensitive_topics_especially_major", "referral_reply_limit_days", "referral_reply_limit_unit",
    "warn_at_fraction",
    "backdate_tolerance_minutes", "follow_up_from_severity",
]
RULE_VALUE_FIELDS = ["amount", "unit", "anchor", "clause", "urgent_amount"]
APPROVAL_RULE_FIELDS = ["kind", "from_severity", "audience", "quorum", "gates_respond", "clause"]
PLAYBOOK_STEP_FIELDS = ["category", "position", "title", "amount", "unit", "owner", "verb",
                        "records_referral", "only_if_continuing", "clause"]


def default_plan() -> ResponsePlan:
    plan = ResponsePlan.objects.current().filter(is_default=True).first()
    if plan is None:
        plan = ResponsePlan.objects.current().order_by("family").first()
    if plan is None:
        raise InvalidInput({"plan": "没有已发布的应急预案"})
    return plan


def current_version(plan: ResponsePlan) -> ResponsePlan:
    return ResponsePlan.objects.current().get(family=plan.family)


@transaction.atomic
def start_revision(plan: ResponsePlan, actor=None) -> ResponsePlan:
    """Copy a plan version (with its rules and ladder) into a new unpublished draft."""
    latest = ResponsePlan.objects.select_for_update().filter(family=plan.family) \
        .order_by("-version").first()
    draft = ResponsePlan.objects.get(pk=plan.pk)
    draft.pk = None
    draft.version = latest.version + 1
    draft.published_at = draft.superseded_at = None
    draft.is_default = plan.is_default
    draft.change_note = ""
    draft.created_by = acting_user(actor)
    draft.save()
    DeadlineRule.objects.bulk_create(
        [DeadlineRule(plan=draft, kind=r.kind, **{f: getattr(r, f) for f in RULE_VALUE_FIELDS})
         for r in plan.rules.all()])
    EscalationStep.objects.bulk_create(
        [EscalationStep(plan=draft, level=s.level, audience=s.audience,
                        delay_minutes=s.delay_minutes) for s in plan.ladder.all()])
    SensitiveTopic.objects.bulk_create(
        [SensitiveTopic(plan=draft, code=t.code, name=t.name)
         for t in plan.sensitive_topics.all()])
    ApprovalRule.objects.bulk_create(
        [ApprovalRule(plan=draft, **{f: getattr(r, f) for f in APPROVAL_RULE_FIELDS})
         for r in plan.approval_rules.all()])
    PlaybookStep.objects.bulk_create(
        [PlaybookStep(plan=draft, **{f: getattr(step, f) for f in PLAYBOOK_STEP_FIELDS})
         for step in plan.playbook_steps.all()])
    AnnouncementRule.objects.bulk_create(
        [AnnouncementRule(plan=draft, point=r.point, audience=r.audience, clause=r.clause)
         for r in plan.announcement_rules.all()])
    return draft


@transaction.atomic
def publish(draft: ResponsePlan, change_note: str = "") -> ResponsePlan:
    """Make a draft the family's current version; the previous one is kept, superseded."""
    if draft.is_published:
        raise InvalidInput({"plan": "该版本已发布，不能再次发布"})
    now = timezone.now()
    ResponsePlan.objects.filter(family=draft.family, published_at__isnull=False,
                                superseded_at__isnull=True).update(superseded_at=now)
    draft.published_at = now
    if change_note:
        draft.change_note = change_note
    draft.save(update_fields=["published_at", "change_note"])
    return draft


@transaction.atomic
def revise_plan(plan: ResponsePlan, *, values: dict | None = None,
                rules: dict[str, dict] | None = None, change_note: str = "",
                actor=None) -> ResponsePlan:
    """Edit a plan: a new published version with the changes; the old version stays as it was.

    `values` changes plan fields (thresholds…); `rules` maps a deadline kind to changed window
    fields, e.g. {"report": {"amount": 1, "unit": "hours"}}.
    """
    unknown = set(values or {}) - set(PLAN_VALUE_FIELDS)
    if unknown:
        raise InvalidInput({field: "不可修改的字段" for field in unknown})
    draft = start_revision(plan, actor)
    for field, value in (values or {}).items():
        setattr(draft, field, value)
    draft.full_clean(exclude=["created_by"])
    draft.save()
    for kind, changes in (rules or {}).items():
        rule = draft.rules.filter(kind=kind).first() or DeadlineRule(plan=draft, kind=kind)
        for field, value in changes.items():
            if field not in RULE_VALUE_FIELDS:
                raise InvalidInput({f"rules.{kind}.{field}": "不可修改的字段"})
            setattr(rule, field, value)
        rule.full_clean(exclude=["plan"])
        rule.save()
    return publish(draft, change_note)



def rule_summary(plan: ResponsePlan, kinds: list[str]) -> list[str]:
    """The plan's windows in words, e.g. ["向舆情办报告：2小时（C01）", …], for the pages: the
    numbers come from the plan an office edited, never from a template."""
    rules = {rule.kind: rule for rule in plan.rules.all()}
    return [f"{rules[kind].get_kind_display()}：{rules[kind].amount}"
            f"{rules[kind].get_unit_display()}（{rules[kind].clause}）"
            for kind in kinds if kind in rules]
