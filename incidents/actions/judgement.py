"""Judgement (研判): classification by content and severity (C07–C10), upgrades (C09), and the
snapshots of spread that may force one (C07)."""
from django.utils.translation import gettext as _

from opinion_ops import events
from opinion_ops.errors import InvalidInput
from organisation.models import Unit
from plans.models import DeadlineKind

from ..classification import Heat, higher_severity, severity_from_metrics
from ..models import Category, Event, Incident, MetricSnapshot, Severity, Stage, State
from .detection import open_report_obligations
from .step import Step, StepContext, step_context
from .. import deadlines


def classify_incident(incident: Incident, actor, *, category: str, severity: str | None = None,
                      heat: Heat | None = None, stage: str | None = None, step: Step = Step(),
                      expected_revision: int | None = None) -> Incident:
    """C07–C10: judge content category and severity. With heat figures the plan's thresholds
    decide (the highest level any rule reaches, C08); a stated severity can only raise it."""
    errors = {}
    if category not in Category.values:
        errors["category"] = _("内容类别无效：%s") % category
    if severity and severity not in Severity.values:
        errors["severity"] = _("级别无效：%s") % severity
    if stage and stage not in Stage.values:
        errors["stage"] = _("阶段无效：%s") % stage
    if not severity and heat is None:
        errors["severity"] = _("请填写级别或传播数据")
    if errors:
        raise InvalidInput(errors)
    with step_context(incident, actor, "classify", step, expected_revision=expected_revision) as s:
        s.transition()
        s.record(Event.CLASSIFIED, clause="C08",
                 data={"category": category, "severity_stated": severity or ""})
        locked = s.incident
        finding = severity_from_metrics(locked.plan, heat) if heat is not None else None
        decided = higher_severity(severity or None, finding.severity if finding else None)
        locked.category, locked.severity = category, decided
        locked.severity_rule = (finding.rule if finding and finding.severity == decided
                                else _("研判人员认定"))
        if stage:
            locked.stage = stage
        if heat is not None:
            _snapshot(locked, actor, heat, stage or locked.stage)
        if locked.is_major:
            _start_major_procedure(s, s.actor, s.at)
    return s.incident


def upgrade_severity(incident: Incident, actor, *, severity: str, reason: str,
                     urgent: bool | None = None, expected_revision: int | None = None
                     ) -> Incident:
    """C09: a general incident that spreads is upgraded and follows the major procedure; the
    pending deadlines are recomputed under the new facts."""
    if severity not in Severity.values:
        raise InvalidInput({"severity": _("级别无效：%s") % severity})
    if not reason:
        raise InvalidInput({"reason": _("请说明升级理由")})
    with step_context(incident, actor, "upgrade", Step(note=reason),
              expected_revision=expected_revision) as s:
        if Severity.rank(severity) <= Severity.rank(s.incident.severity or None):
            raise InvalidInput({"severity": _("新级别必须高于当前级别（%s）")
                                % (s.incident.get_severity_display() or "—")})
        _raise_severity(s, severity, reason, urgent)
    return s.incident


def record_metrics(incident: Incident, actor, *, heat: Heat, stage: str, cause: str = "",
                   attention: str = "", follow_up_posts: int = 0,
                   expected_revision: int | None = None) -> Incident:
    """C07: a snapshot of the incident's spread; crossing a higher threshold upgrades it (C09),
    in the same transaction, so the snapshot and the upgrade stand or fall together."""
    if stage not in Stage.values:
        raise InvalidInput({"stage": _("阶段无效：%s") % stage})
    with step_context(incident, actor, "metrics", expected_revision=expected_revision) as s:
        locked = s.incident
        _snapshot(locked, actor, heat, stage, cause=cause, attention=attention,
                  follow_up_posts=follow_up_posts)
        locked.stage = stage
        s.record(Event.METRICS_RECORDED, clause="C07",
                 note=_("点击 %(c)s，评论 %(m)s，主流网站转载 %(s)s，阶段：%(stage)s") % {
                     "c": heat.clicks, "m": heat.comments, "s": heat.mainstream_sites,
                     "stage": Stage(stage).label},
                 data={"clicks": heat.clicks, "comments": heat.comments,
                       "follow_up_posts": follow_up_posts,
                       "mainstream_sites": heat.mainstream_sites, "stage": stage})
        finding = severity_from_metrics(locked.plan, heat)
        if locked.severity and Severity.rank(finding.severity) > Severity.rank(locked.severity):
            _raise_severity(s, finding.severity, _("传播数据达到阈值：%s") % finding.rule, None,
                            by_rule=True)
    return s.incident


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
             data={"from": old, "to": severity, "urgent": locked.urgent})
    deadlines.recompute_pending(locked, reason=reason, actor=actor)
    if became_urgent:
        open_report_obligations(locked, actor, locked.owner_unit, None, s.now)
    if locked.is_major and locked.state != State.DETECTED:
        _start_major_procedure(s, actor, s.now)


def _snapshot(incident, actor, heat: Heat, stage: str, **facts) -> MetricSnapshot:
    return MetricSnapshot.objects.create(
        incident=incident, recorded_by=actor if actor is not None else None,
        clicks=heat.clicks, comments=heat.comments, mainstream_sites=heat.mainstream_sites,
        sensitive_topic=heat.sensitive_topic, stage=stage, **facts)


def _start_major_procedure(s: StepContext, actor, at) -> None:
    """C04, C05, C14: a major incident is reported on to the superior department and followed
    up until it subsides. Opened once, however often severity is raised."""
    incident = s.incident
    office = Unit.objects.filter(kind=Unit.Kind.OFFICE).first() or incident.owner_unit
    events.publish(events.SEVERITY_RAISED, incident_id=incident.pk,  # C04, C14
                   severity=incident.severity, major=True)
    deadlines.open_deadline(incident, DeadlineKind.SUPERIOR_REPORT, start=at,
                            owed_by_unit=office, actor=actor)
    if not incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists():
        deadlines.open_deadline(incident, DeadlineKind.FOLLOW_UP, start=at,
                                owed_by_unit=incident.owner_unit, actor=actor, repeat=True)
