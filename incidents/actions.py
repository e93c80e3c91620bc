"""The verbs of the plan: the only code that changes an incident.

Each action runs in one transaction: it locks the incident row, checks the caller's revision
and role, fires the django-fsm transition, writes the timeline entry, opens or meets the
deadlines the plan asks for, and leaves side effects to `transaction.on_commit`. Views, the API,
the admin, commands and tasks all call these functions.
"""
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opinion_ops import events

from . import deadlines
from .action_path import (Step, clause_for, lock_incident, require_open, require_perm,
    run_transition, save_revision, step_time)
from organisation.actors import person_of
from .classification import Heat, higher_severity, severity_from_metrics
from opinion_ops.errors import InvalidInput, TransitionNotAllowed
from .models import Category, Channel, Event, Incident, MetricSnapshot, Severity, Stage, State
from plans.models import DeadlineKind, ResponsePlan
from organisation.models import Person, Unit
from plans.versions import default_plan
from .timeline import record_event


def detect_incident(actor, *, title: str, summary: str, source_url: str, platform: str,
                    discovered_at: datetime, urgent: bool = False,
                    discovered_by: Person | None = None, owner_unit: Unit | None = None,
                    accountable_leader: Person | None = None,
                    plan: ResponsePlan | None = None, source_links: list | None = None,
                    note: str = "") -> Incident:
    """Log an incident a monitor found (C06) and start the report obligations (C01–C03)."""
    require_perm(actor, "detect_incident")
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
        record_event(incident, Event.DETECTED, actor, to_state=incident.state, note=note,
                     occurred_at=discovered_at,
                     data={"urgent": urgent,
                           "plan": f"{incident.plan.family} v{incident.plan.version}"})
        owed_unit = discovered_by.unit if discovered_by else owner_unit
        _open_report_obligations(incident, actor, owed_unit, discovered_by, now)
        return incident


def _open_report_obligations(incident, actor, owed_unit, owed_person, now) -> None:
    kinds = [DeadlineKind.REPORT]
    if incident.urgent:
        kinds += [DeadlineKind.VERBAL_REPORT]
        written = incident.plan.rules.filter(kind=DeadlineKind.WRITTEN_REPORT).first()
        # "Written within 30 min after the verbal one" starts only when the verbal report is made.
        if written is not None and written.anchor != "verbal_report":
            kinds += [DeadlineKind.WRITTEN_REPORT]
    for kind in kinds:
        deadlines.open_deadline(incident, kind, start=now, owed_by_unit=owed_unit,
                                owed_by_person=owed_person, actor=actor)


def report_incident(incident: Incident, actor, step: Step, *,
                    expected_revision: int | None = None) -> Incident:
    """C01/C03: report to the leadership-group office. By phone it is also the verbal report
    of an urgent case (C02); in writing, also the written one."""
    if not step.recipient:
        raise InvalidInput({"recipient": _("请填写报告对象")})
    if step.channel not in (Channel.PHONE, Channel.WRITTEN, Channel.SYSTEM):
        raise InvalidInput({"channel": _("报告方式无效")})

    def apply(locked, at):
        locked.reported_at = at
        _meet_report_kinds(locked, step.channel, at, actor)
        events.publish(events.INCIDENT_REPORTED, incident_id=locked.pk)  # C01

    return run_transition(incident, "report", actor, Event.REPORTED, step,
                       expected_revision=expected_revision, apply=apply,
                       clause=clause_for(incident, DeadlineKind.REPORT))


def _meet_report_kinds(incident, channel, at, actor) -> None:
    deadlines.meet(incident, DeadlineKind.REPORT, at=at, actor=actor)
    if channel == Channel.PHONE:
        _verbal_report_made(incident, at, actor)
    elif channel == Channel.WRITTEN:
        deadlines.meet(incident, DeadlineKind.WRITTEN_REPORT, at=at, actor=actor)


def _verbal_report_made(incident, at, actor) -> None:
    if incident.verbal_reported_at is None:
        incident.verbal_reported_at = at
    deadlines.meet(incident, DeadlineKind.VERBAL_REPORT, at=at, actor=actor)
    if incident.urgent:
        person = person_of(actor) or incident.discovered_by
        deadlines.open_deadline(incident, DeadlineKind.WRITTEN_REPORT, start=at,
                                owed_by_unit=person.unit if person else incident.owner_unit,
                                owed_by_person=person, actor=actor)


def record_verbal_report(incident: Incident, actor, step: Step, *,
                         expected_revision: int | None = None) -> Incident:
    """C02: a phone report was made (to whom, when, what); the written report must follow."""
    require_perm(actor, "record_verbal_report")
    if not step.recipient:
        raise InvalidInput({"recipient": _("请填写汇报对象")})
    if not step.note:
        raise InvalidInput({"note": _("请填写汇报内容摘要")})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        require_open(locked, "record_verbal_report")
        at = step_time(locked, step, timezone.now())
        record_event(locked, Event.VERBAL_REPORT, actor, channel=Channel.PHONE,
                     recipient=step.recipient, note=step.note, occurred_at=at,
                     clause=clause_for(locked, DeadlineKind.VERBAL_REPORT))
        _verbal_report_made(locked, at, actor)
        save_revision(locked)
        return locked


def file_written_report(incident: Incident, actor, step: Step, *,
                        expected_revision: int | None = None, briefing_id: int | None = None
                        ) -> Incident:
    """C02: the written report was sent (meets the written-report deadline)."""
    return _file_obligation(incident, actor, step, kind=DeadlineKind.WRITTEN_REPORT,
                            event=Event.WRITTEN_REPORT, permission="report_incident",
                            verb="file_written_report", channel=Channel.WRITTEN,
                            data={"briefing": briefing_id} if briefing_id else None,
                            expected_revision=expected_revision)


def _file_obligation(incident: Incident, actor, step: Step, *, kind: str, event: str,
                     permission: str, verb: str | None, expected_revision: int | None,
                     channel: str | None = None, default_note: str = "", data=None,
                     after=None, recipient_required: str = "") -> Incident:
    """A step that fulfils an obligation of the plan: on the record, then its deadline met.

    `verb` None allows it on a closed incident too; `data` may be a function of the locked
    incident; `after(locked, at)` runs in the same transaction (e.g. the next follow-up);
    `recipient_required` is the message when the step must name its recipient."""
    require_perm(actor, permission)
    if recipient_required and not step.recipient:
        raise InvalidInput({"recipient": recipient_required})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        if verb is not None:
            require_open(locked, verb)
        at = step_time(locked, step, timezone.now())
        record_event(locked, event, actor, channel=channel or step.channel,
                     recipient=step.recipient, note=step.note or default_note, occurred_at=at,
                     clause=clause_for(locked, kind), data=data(locked) if callable(data) else data)
        deadlines.meet(locked, kind, at=at, actor=actor)
        save_revision(locked)
        if after is not None:
            after(locked, at)
        return locked


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

    def apply(locked, at):
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
            _start_major_procedure(locked, actor, at)

    return run_transition(incident, "classify", actor, Event.CLASSIFIED, step,
                       expected_revision=expected_revision, apply=apply, clause="C08",
                       data={"category": category, "severity_stated": severity or ""})


def _snapshot(incident, actor, heat: Heat, stage: str, **facts) -> MetricSnapshot:
    return MetricSnapshot.objects.create(
        incident=incident, recorded_by=actor if actor is not None else None,
        clicks=heat.clicks, comments=heat.comments, mainstream_sites=heat.mainstream_sites,
        sensitive_topic=heat.sensitive_topic, stage=stage, **facts)


def _start_major_procedure(incident: Incident, actor, at: datetime) -> None:
    """C04, C05, C14: a major incident is reported on to the superior department and followed
    up until it subsides. Opened once, however often severity is raised."""
    office = Unit.objects.filter(kind=Unit.Kind.OFFICE).first() or incident.owner_unit
    events.publish(events.SEVERITY_RAISED, incident_id=incident.pk,  # C04, C14
                   severity=incident.severity, major=True)
    deadlines.open_deadline(incident, DeadlineKind.SUPERIOR_REPORT, start=at,
                            owed_by_unit=office, actor=actor)
    if not incident.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists():
        deadlines.open_deadline(incident, DeadlineKind.FOLLOW_UP, start=at,
                                owed_by_unit=incident.owner_unit, actor=actor, repeat=True)


def upgrade_severity(incident: Incident, actor, *, severity: str, reason: str,
                     urgent: bool | None = None, expected_revision: int | None = None
                     ) -> Incident:
    """C09: a general incident that spreads is upgraded and follows the major procedure; the
    pending deadlines are recomputed under the new facts."""
    require_perm(actor, "classify_incident")
    if severity not in Severity.values:
        raise InvalidInput({"severity": _("级别无效：%s") % severity})
    if not reason:
        raise InvalidInput({"reason": _("请说明升级理由")})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        require_open(locked, "upgrade")
        if Severity.rank(severity) <= Severity.rank(locked.severity or None):
            raise InvalidInput({"severity": _("新级别必须高于当前级别（%s）")
                                % (locked.get_severity_display() or "—")})
        old = locked.severity
        locked.severity, locked.severity_rule = severity, reason
        became_urgent = urgent is True and not locked.urgent
        if urgent is not None:
            locked.urgent = urgent
        save_revision(locked)
        record_event(locked, Event.SEVERITY_UPGRADED, actor, clause="C09", note=reason,
                     data={"from": old, "to": severity, "urgent": locked.urgent})
        now = timezone.now()
        deadlines.recompute_pending(locked, reason=reason, actor=actor)
        if became_urgent:
            _open_report_obligations(locked, actor, locked.owner_unit, None, now)
        if locked.is_major and locked.state != State.DETECTED:
            _start_major_procedure(locked, actor, now)
        return locked


def record_metrics(incident: Incident, actor, *, heat: Heat, stage: str, cause: str = "",
                   attention: str = "", follow_up_posts: int = 0,
                   expected_revision: int | None = None) -> Incident:
    """C07: a snapshot of the incident's spread; crossing a higher threshold upgrades it (C09)."""
    require_perm(actor, "update_incident_facts")
    if stage not in Stage.values:
        raise InvalidInput({"stage": _("阶段无效：%s") % stage})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        require_open(locked, "record_metrics")
        _snapshot(locked, actor, heat, stage, cause=cause, attention=attention,
                  follow_up_posts=follow_up_posts)
        locked.stage = stage
        save_revision(locked)
        finding = severity_from_metrics(locked.plan, heat)
        record_event(locked, Event.METRICS_RECORDED, actor, clause="C07",
                     note=_("点击 %(c)s，评论 %(m)s，主流网站转载 %(s)s，阶段：%(stage)s") % {
                         "c": heat.clicks, "m": heat.comments, "s": heat.mainstream_sites,
                         "stage": Stage(stage).label},
                     data={"clicks": heat.clicks, "comments": heat.comments,
                           "follow_up_posts": follow_up_posts,
                           "mainstream_sites": heat.mainstream_sites, "stage": stage})
        # In the same transaction, so the snapshot and the upgrade it triggers stand or fall
        # together.
        if locked.severity and Severity.rank(finding.severity) > Severity.rank(locked.severity):
            return upgrade_severity(locked, None, severity=finding.severity,
                                    reason=_("传播数据达到阈值：%s") % finding.rule)
        return locked


def file_follow_up_report(incident: Incident, actor, step: Step, *,
                          expected_revision: int | None = None) -> Incident:
    """C05: a follow-up report (续报); the next one falls due one interval later."""

    def number(locked):
        return {"number": locked.timeline.filter(event=Event.FOLLOW_UP_REPORT).count() + 1}

    def next_follow_up(locked, at):
        if locked.deadlines.filter(kind=DeadlineKind.FOLLOW_UP).exists():
            deadlines.open_deadline(locked, DeadlineKind.FOLLOW_UP, start=at,
                                    owed_by_unit=locked.owner_unit, actor=actor, repeat=True)

    return _file_obligation(incident, actor, step, kind=DeadlineKind.FOLLOW_UP,
                            event=Event.FOLLOW_UP_REPORT, permission="report_incident",
                            verb="follow_up", data=number, after=next_follow_up,
                            expected_revision=expected_revision)


def report_to_superior(incident: Incident, actor, step: Step, *,
                       expected_revision: int | None = None) -> Incident:
    """C04: the dual report of a major incident to the superior department."""
    return _file_obligation(incident, actor, step, kind=DeadlineKind.SUPERIOR_REPORT,
                            event=Event.SUPERIOR_REPORT, permission="report_incident",
                            verb="report_to_superior", expected_revision=expected_revision,
                            recipient_required=_("请填写上级主管部门"))


def respond_incident(incident: Incident, actor, step: Step, *, response: str,
                     expected_revision: int | None = None) -> Incident:
    """C10, C16: the response is given and the incident has subsided; follow-ups end and the
    written summary falls due (C19)."""
    if not response:
        raise InvalidInput({"response": _("请填写回应内容")})

    def apply(locked, at):
        locked.subsided_at = at
        locked.stage = Stage.ENDING
        deadlines.cancel_pending(locked, reason=_("事件已平息"), actor=actor,
                                 kinds=[DeadlineKind.FOLLOW_UP])
        deadlines.open_deadline(locked, DeadlineKind.SUMMARY, start=at,
                                owed_by_unit=locked.owner_unit, actor=actor)

    return run_transition(incident, "respond", actor, Event.RESPONDED, step,
                       expected_revision=expected_revision, apply=apply, clause="C16",
                       data={"response": response})


def file_summary(incident: Incident, actor, step: Step, *,
                 expected_revision: int | None = None, briefing_id: int | None = None
                 ) -> Incident:
    """C19: the written summary after the incident subsided."""
    return _file_obligation(incident, actor, step, kind=DeadlineKind.SUMMARY,
                            event=Event.BRIEFING_FILED, permission="respond_incident", verb=None,
                            channel=Channel.WRITTEN, default_note=_("书面总结已报送"),
                            data={"briefing": briefing_id} if briefing_id else None,
                            expected_revision=expected_revision)


def review_incident(incident: Incident, actor, step: Step, *, findings: str,
                    expected_revision: int | None = None) -> Incident:
    """C20, C21: the review and assessment, with its accountability findings."""
    if not findings:
        raise InvalidInput({"findings": _("请填写复盘结论")})
    return run_transition(incident, "review", actor, Event.REVIEWED, step,
                       expected_revision=expected_revision, clause="C20",
                       apply=_require_obligations_settled, data={"findings": findings})


def _require_obligations_settled(incident: Incident, at: datetime) -> None:
    """The review closes the incident: it comes after the written summary (C19) and every other
    obligation, or a closed incident would go on escalating."""
    pending = list(incident.deadlines.filter(state="pending").order_by("due_at"))
    if pending:
        raise TransitionNotAllowed("review", State.RESPONDED, State.RESPONDED.label,
                                   reason=_("尚有未履行的时限：%s") % "、".join(
                                       f"{d.get_kind_display()}（{d.clause}）" for d in pending))


def dismiss_incident(incident: Incident, actor, step: Step, *,
                     expected_revision: int | None = None) -> Incident:
    """Judged not to be a public-opinion incident: its obligations end."""
    if not step.note:
        raise InvalidInput({"note": _("请说明排除理由")})

    def apply(locked, at):
        deadlines.cancel_pending(locked, reason=_("已排除"), actor=actor)

    return run_transition(incident, "dismiss", actor, Event.DISMISSED, step,
                       expected_revision=expected_revision, apply=apply)


def merge_incident(incident: Incident, actor, step: Step, *, into: Incident,
                   expected_revision: int | None = None) -> Incident:
    """A duplicate: its record continues on `into`, and its own obligations end."""
    if into.pk == incident.pk:
        raise InvalidInput({"into": _("不能合并到自身")})
    if not into.is_open:
        raise InvalidInput({"into": _("目标事件已结束（%s）") % into.get_state_display()})

    def prepare(locked):
        locked.merged_into = into

    def apply(locked, at):
        deadlines.cancel_pending(locked, reason=_("已合并至 #%s") % into.pk, actor=actor)
        record_event(into, Event.NOTE, actor, note=_("事件 #%(pk)s“%(title)s”合并至此") % {
            "pk": locked.pk, "title": locked.title}, data={"merged": locked.pk})

    return run_transition(incident, "merge", actor, Event.MERGED, step,
                       expected_revision=expected_revision, apply=apply, prepare=prepare,
                       data={"into": into.pk})


def change_owner(incident: Incident, actor, *, unit: Unit | None = None,
                 leader: Person | None = None, reason: str,
                 expected_revision: int | None = None) -> Incident:
    """C23: one owner unit and one accountable leader at any time; each change on the record."""
    require_perm(actor, "reassign_incident")
    if not reason:
        raise InvalidInput({"reason": _("请说明变更理由")})
    if unit is None and leader is None:
        raise InvalidInput({"unit": _("请指定新的责任单位或责任领导")})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        changes = []
        if unit is not None and unit.pk != locked.owner_unit_id:
            changes.append((Event.OWNER_CHANGED, locked.owner_unit.name, unit.name))
            locked.owner_unit = unit
        if leader is not None and leader.pk != locked.accountable_leader_id:
            changes.append((Event.LEADER_CHANGED, locked.accountable_leader.name, leader.name))
            locked.accountable_leader = leader
        if not changes:
            raise InvalidInput({"unit": _("与当前责任单位和责任领导相同")})
        save_revision(locked)
        for event, old, new in changes:
            record_event(locked, event, actor, clause="C23", note=reason,
                         data={"from": old, "to": new})
        return locked


def adopt_plan_version(incident: Incident, actor, *, plan: ResponsePlan, reason: str,
                       expected_revision: int | None = None) -> Incident:
    """Move an open incident onto a newer version of its plan; pending deadlines are
    recomputed under the new rules, on the timeline. Without this, an incident keeps the plan
    version it started with."""
    require_perm(actor, "reassign_incident")
    if not plan.is_published:
        raise InvalidInput({"plan": _("只能采用已发布的预案版本")})
    if not reason:
        raise InvalidInput({"reason": _("请说明理由")})
    with transaction.atomic():
        locked = lock_incident(incident, expected_revision)
        require_open(locked, "adopt_plan_version")
        if plan.pk == locked.plan_id:
            raise InvalidInput({"plan": _("事件已适用该预案版本")})
        old = locked.plan
        locked.plan = plan
        save_revision(locked)
        record_event(locked, Event.NOTE, actor, note=_("适用预案由 %(old)s 改为 %(new)s：%(reason)s")
                     % {"old": old, "new": plan, "reason": reason},
                     data={"plan_from": old.pk, "plan_to": plan.pk})
        deadlines.recompute_pending(locked, reason=reason, actor=actor)
        return locked
