"""Judgement (研判): classification by content and severity (C07–C10), upgrades (C09), and the
snapshots of spread that may force one (C07).

Severity follows the heat: it is the highest of the level the plan's rules give the latest
snapshot (thresholds and sensitive topics, C08) and the level a person set with a reason (an
upgrade, a "spreading" mark, a stated severity at classification). It never falls by itself: a
later, cooler snapshot or a lower classification leaves it where it is.
"""
from decimal import Decimal

from django.utils.translation import gettext as _

from opinion_ops import events
from opinion_ops.errors import InvalidInput
from organisation.actors import actor_name
from organisation.models import Unit
from plans.models import DeadlineKind

from ..classification import Heat, higher_severity, severity_from_metrics, unknown_topics
from ..models import Category, Event, Incident, MetricSnapshot, Severity, Stage, State
from .detection import open_report_obligations
from .step import Step, StepContext, step_context
from .tracking import relapse_if_hotter
from .. import deadlines, playbooks

# Input sanity, not plan data: a figure beyond these is a typing error, refused with a 400.
FIGURE_LIMITS = {"clicks": 2_000_000_000, "comments": 2_000_000_000,
                 "follow_up_posts": 2_000_000_000, "mainstream_sites": 100_000}
HEAT_INDEX_LIMIT = Decimal("999999.99")
STAGE_ORDER = [Stage.LATENT, Stage.OUTBREAK, Stage.PERSISTENT, Stage.ENDING]


def heat_errors(incident: Incident, heat: Heat, *, follow_up_posts: int = 0,
                heat_index: Decimal | None = None) -> dict:
    """What is wrong with figures of spread, by field (C07): negative, absurd, unknown topic."""
    errors = {}
    figures = {"clicks": heat.clicks, "comments": heat.comments,
               "mainstream_sites": heat.mainstream_sites, "follow_up_posts": follow_up_posts}
    for field, value in figures.items():
        if not isinstance(value, int) or value < 0:
            errors[field] = _("不能为负数")
        elif value > FIGURE_LIMITS[field]:
            errors[field] = _("数值不合理（超过 %s）") % FIGURE_LIMITS[field]
    if heat_index is not None and not (0 <= heat_index <= HEAT_INDEX_LIMIT):
        errors["heat_index"] = _("热度指数应在 0 至 %s 之间") % HEAT_INDEX_LIMIT
    unknown = unknown_topics(incident.plan, heat.topics)
    if unknown:
        errors["topics"] = _("预案中没有这些敏感领域：%s") % "、".join(unknown)
    return errors


def classify_incident(incident: Incident, actor, *, category: str, severity: str | None = None,
                      heat: Heat | None = None, stage: str | None = None, step: Step = Step(),
                      expected_revision: int | None = None) -> Incident:
    """C07–C10: judge content category and severity. The severity is the highest of the plan's
    rules on the latest snapshot (given here or recorded before, C08), the severity stated
    now, and what was set before (an early upgrade survives, C09). A major result starts the
    major procedure once (C04, C05, C14); a general one starts the 2-hour forwarding to the
    functional department (C11)."""
    errors = {}
    if category not in Category.values:
        errors["category"] = _("内容类别无效：%s") % category
    if severity and severity not in Severity.values:
        errors["severity"] = _("级别无效：%s") % severity
    if stage and stage not in Stage.values:
        errors["stage"] = _("阶段无效：%s") % stage
    if not severity and heat is None:
        errors["severity"] = _("请填写级别或传播数据")
    if heat is not None:
        errors.update(heat_errors(incident, heat))
    if errors:
        raise InvalidInput(errors)
    with step_context(incident, actor, "classify", step, expected_revision=expected_revision) as s:
        s.transition()
        locked = s.incident
        if heat is not None:
            _snapshot(locked, s, heat, stage or locked.stage)
        if stage:
            locked.stage = stage
        rule = _latest_finding(locked)
        before = locked.severity or None
        decided = higher_severity(higher_severity(severity or None, rule.severity if rule else None),
                                  before)
        if rule is not None and rule.severity == decided:
            locked.severity_rule = rule.rule
        elif decided != before:
            locked.severity_rule = _("研判人员认定（%s）") % actor_name(s.actor)
        locked.category, locked.severity = category, decided
        s.record(Event.CLASSIFIED, clause="C08",
                 note=_("定为%(severity)s（依据：%(rule)s）") % {
                     "severity": Severity(decided).label, "rule": locked.severity_rule},
                 data={"category": category, "severity_stated": severity or "",
                       "severity": decided, "severity_rule": locked.severity_rule})
        playbooks.open_steps(locked, category, start=s.at, actor=s.actor)  # C10a–d
        if locked.is_major:
            _start_major_procedure(s, s.actor, s.at)
        else:
            office = _office(locked)
            s.open(DeadlineKind.REFERRAL_FORWARD, start=s.at, owed_by_unit=office)  # C11
        _open_follow_ups(s, s.actor, s.at)
    return s.incident


def upgrade_severity(incident: Incident, actor, *, severity: str, reason: str,
                     urgent: bool | None = None, expected_revision: int | None = None
                     ) -> Incident:
    """C09: a person (the office or leadership) raises the severity with a reason; it follows
    the major procedure from then on, and a later lower classification does not undo it. The
    pending deadlines are recomputed under the new facts."""
    if severity not in Severity.values:
        raise InvalidInput({"severity": _("级别无效：%s") % severity})
    if not reason.strip():
        raise InvalidInput({"reason": _("请说明升级理由")})
    with step_context(incident, actor, "upgrade", Step(note=reason),
                      expected_revision=expected_revision) as s:
        if Severity.rank(severity) <= Severity.rank(s.incident.severity or None):
            raise InvalidInput({"severity": _("新级别必须高于当前级别（%s）")
                                % (s.incident.get_severity_display() or "—")})
        _raise_severity(s, severity, _("%(who)s升级：%(reason)s") % {
            "who": actor_name(s.actor), "reason": reason}, urgent)
    return s.incident


def lower_severity(incident: Incident, actor, *, severity: str, reason: str,
                   expected_revision: int | None = None) -> Incident:
    """C08: only the office lowers a severity, below what the rules reached too, and says why;
    the timeline names whom and the rule it overrides. Later, hotter snapshots raise it again."""
    if severity not in Severity.values:
        raise InvalidInput({"severity": _("级别无效：%s") % severity})
    if not reason.strip():
        raise InvalidInput({"reason": _("请说明降级理由")})
    with step_context(incident, actor, "downgrade", Step(note=reason),
                      expected_revision=expected_revision) as s:
        locked = s.incident
        if Severity.rank(severity) >= Severity.rank(locked.severity or None):
            raise InvalidInput({"severity": _("新级别必须低于当前级别（%s）")
                                % (locked.get_severity_display() or "—")})
        rule = _latest_finding(locked)
        old = locked.severity
        note = _("%(who)s降为%(to)s：%(reason)s") % {
            "who": actor_name(s.actor), "to": Severity(severity).label, "reason": reason}
        if rule is not None and Severity.rank(rule.severity) > Severity.rank(severity):
            note += _("（低于规则认定：%s）") % rule.rule
        locked.severity, locked.severity_rule = severity, note
        s.record(Event.SEVERITY_LOWERED, clause="C08", note=note,
                 data={"from": old, "to": severity,
                       "rule": rule.rule if rule else "", "reason": reason})
    return s.incident


def mark_spreading(incident: Incident, actor, *, reason: str, step: Step = Step(),
                   expected_revision: int | None = None) -> Incident:
    """C09: a general incident that cannot be resolved or shows signs of spreading is
    upgraded to major and follows the major procedure from then on."""
    if not reason.strip():
        raise InvalidInput({"reason": _("请说明扩散或难以化解的情况")})
    with step_context(incident, actor, "spreading", step,
                      expected_revision=expected_revision) as s:
        if s.incident.severity != Severity.GENERAL:
            raise InvalidInput({"severity": _("只有一般舆情可标记为扩散升级（当前：%s）")
                                % (s.incident.get_severity_display() or "—")})
        s.record(Event.SPREADING_MARKED, clause="C09", note=reason)
        playbooks.open_if_continuing(s.incident, start=s.at, actor=s.actor)  # C10b
        _raise_severity(s, Severity.MAJOR, _("%(who)s标记扩散或难以化解：%(reason)s") % {
            "who": actor_name(s.actor), "reason": reason}, None)
    return s.incident


def record_metrics(incident: Incident, actor, *, heat: Heat, stage: str, cause: str = "",
                   attention: str = "", follow_up_posts: int = 0,
                   heat_index: Decimal | None = None, stage_reason: str = "",
                   step: Step = Step(), expected_revision: int | None = None) -> Incident:
    """C07: a snapshot of the incident's spread (clicks, comments, follow-up posts, mainstream
    reposts, heat index, sensitive topics, stage). A stage going back (终止期 → 爆发期, 反弹)
    needs a reason. When the plan's rules put the snapshot above the current severity, the
    incident is raised in the same transaction (C08, C09), saying which rule."""
    errors = {}
    if stage not in Stage.values:
        errors["stage"] = _("阶段无效：%s") % stage
    errors.update(heat_errors(incident, heat, follow_up_posts=follow_up_posts,
                              heat_index=heat_index))
    if errors:
        raise InvalidInput(errors)
    with step_context(incident, actor, "metrics", step, expected_revision=expected_revision) as s:
        locked = s.incident
        previous = locked.metrics.order_by("-recorded_at", "-id").first()
        if STAGE_ORDER.index(stage) < STAGE_ORDER.index(locked.stage) and not stage_reason.strip():
            raise InvalidInput({"stage_reason": _("阶段由“%(old)s”回到“%(new)s”，请说明原因（如反弹）")
                                % {"old": locked.get_stage_display(),
                                   "new": Stage(stage).label}})
        _snapshot(locked, s, heat, stage, cause=cause, attention=attention,
                  follow_up_posts=follow_up_posts, heat_index=heat_index,
                  stage_reason=stage_reason)
        note = _("点击 %(c)s，评论 %(m)s，主流网站转载 %(s)s，阶段：%(stage)s") % {
            "c": heat.clicks, "m": heat.comments, "s": heat.mainstream_sites,
            "stage": Stage(stage).label}
        if stage != locked.stage and stage_reason:
            note += _("（阶段回退原因：%s）") % stage_reason
        locked.stage = stage
        s.record(Event.METRICS_RECORDED, clause="C07", note=note,
                 data={"clicks": heat.clicks, "comments": heat.comments,
                       "follow_up_posts": follow_up_posts,
                       "mainstream_sites": heat.mainstream_sites, "stage": stage,
                       "heat_index": str(heat_index) if heat_index is not None else None,
                       "topics": list(heat.topics), "stage_reason": stage_reason})
        relapse_if_hotter(s, previous, heat.clicks, heat.comments)  # C22
        if previous is not None and (heat.clicks > previous.clicks
                                     or heat.comments > previous.comments):
            playbooks.open_if_continuing(locked, start=s.at, actor=s.actor)  # C10b: it goes on
        finding = severity_from_metrics(locked.plan, heat)
        current = locked.severity or None
        if Severity.rank(finding.severity) > Severity.rank(current) \
                and (current or Severity.is_major(finding.severity)):
            _raise_severity(s, finding.severity, _("传播数据达到阈值：%s") % finding.rule, None,
                            by_rule=True)
    return s.incident


def _latest_finding(incident: Incident):
    latest = incident.metrics.order_by("-recorded_at", "-id").first()
    if latest is None:
        return None
    return severity_from_metrics(incident.plan, Heat(
        clicks=latest.clicks, comments=latest.comments,
        mainstream_sites=latest.mainstream_sites, sensitive_topic=latest.sensitive_topic,
        topics=tuple(latest.topics or ())))


def _raise_severity(s: StepContext, severity: str, reason: str, urgent: bool | None, *,
                    by_rule: bool = False) -> None:
    """Raise the severity in the step's transaction; `by_rule` when the plan's thresholds
    raised it (the system acts, not the person who recorded the figures)."""
    locked = s.incident
    actor = None if by_rule else s.actor
    old = locked.severity
    locked.severity, locked.severity_rule = severity, reason
    became_urgent = urgent is True and not locked.urgent
    if urgent is not None:
        locked.urgent = urgent
    s.record(Event.SEVERITY_UPGRADED, clause="C09", note=reason, by_system=by_rule,
             data={"from": old, "to": severity, "urgent": locked.urgent, "by_rule": by_rule})
    deadlines.recompute_pending(locked, reason=reason, actor=actor)
    if became_urgent:
        open_report_obligations(locked, actor, locked.owner_unit, None, s.now)
    if locked.is_major and locked.state != State.DETECTED:
        _start_major_procedure(s, actor, s.now)
    if locked.state != State.DETECTED:
        _open_follow_ups(s, actor, s.now)


def _snapshot(incident, s: StepContext, heat: Heat, stage: str, **facts) -> MetricSnapshot:
    return MetricSnapshot.objects.create(
        incident=incident, recorded_by=s.actor, recorded_at=s.at,
        clicks=heat.clicks, comments=heat.comments, mainstream_sites=heat.mainstream_sites,
        sensitive_topic=heat.sensitive_topic, topics=list(heat.topics), stage=stage, **facts)


def _office(incident: Incident) -> Unit:
    return Unit.objects.filter(kind=Unit.Kind.OFFICE).first() or incident.owner_unit


def _start_major_procedure(s: StepContext, actor, at) -> None:
    """C04, C14: a major incident is reported on to the superior department (and the
    capabilities hear of it: meetings, press group …). Started once, however often severity
    is raised and however many snapshots arrive together: the superior-report row is the mark
    that it has started."""
    incident = s.incident
    if incident.deadlines.filter(kind=DeadlineKind.SUPERIOR_REPORT).exists():
        return
    events.publish(events.SEVERITY_RAISED, incident_id=incident.pk,  # C04, C14
                   severity=incident.severity, major=True, at=at.isoformat())
    deadlines.open_deadline(incident, DeadlineKind.SUPERIOR_REPORT, start=at,
                            owed_by_unit=_office(incident), actor=actor)


def _open_follow_ups(s: StepContext, actor, at) -> None:
    """C05: follow-up reports fall due, on the plan's interval until the incident subsides,
    once its severity reaches the level the plan names for them (major, as shipped). Opened
    once: each one filed opens the next."""
    incident = s.incident
    if Severity.rank(incident.severity) < Severity.rank(incident.plan.follow_up_from_severity):
        return
    if incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists():
        return
    deadlines.open_deadline(incident, DeadlineKind.FOLLOW_UP, start=at,
                            owed_by_unit=incident.owner_unit, actor=actor, repeat=True)
