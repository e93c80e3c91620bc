"""The registry of verbs: each is declared once, here.

A declaration names the verb's route (`POST /api/v1/incidents/{id}/<name>/`), the action it
runs, its input schema (a DRF serializer in incidents.api.payloads), the permission a role needs,
the plan obligation it fulfils (its clause is read from the incident's plan), its label, and
where it applies. From it come the API route, the page form (incidents.verb_forms), the admin
action, `next_actions`, and the one permission check (incidents.actions.step.authorise).
Adding a verb is one entry here and one action function.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from organisation import policy
from plans.models import DeadlineKind

from . import actions, selectors
from .actions.tracking import resolved
from .api import payloads
from .classification import Heat
from .models import OPEN_STATES, Channel, Incident, State

DETECT_PERMISSION = "detect_incident"


@dataclass(frozen=True)
class Verb:
    name: str  # the API route segment, e.g. "verbal-report"
    call: Callable  # (incident, actor, data, revision) -> Incident
    payload: type  # the input schema
    permission: str  # codename of an incidents permission
    label: Promise
    states: tuple[str, ...]
    obligation: str = ""  # DeadlineKind it fulfils; offered while such a deadline is unmet
    applies: Callable[[Incident], bool] | None = None
    transition: bool = False  # whether it moves the state (django-fsm)
    # Verbs this one fulfils too (report by phone is also the verbal report, in writing the
    # written one): while this verb is offered, the page shows its one form instead of theirs.
    # The API keeps every route.
    covers: tuple[str, ...] = ()
    # Narrower than the permission: only the office (organisation.policy.is_office), though
    # leadership holds the same permission (C08 lowering, C22 tracker and resolution).
    office_only: bool = False

    @property
    def slug(self) -> str:
        """The page's and the admin's name: the route with underscores (verbal_report)."""
        return self.name.replace("-", "_")

    def label_for(self, incident: Incident | None = None) -> str:
        """The label with the clause of the incident's plan, e.g. 报送书面汇报（C02）."""
        if self.obligation and incident is not None:
            rule = incident.plan.rule_for(self.obligation)
            if rule is not None:
                return f"{self.label}（{rule.clause}）"
        return str(self.label)

    def offered(self, incident: Incident) -> bool:
        if incident.state not in self.states:
            return False
        if self.obligation and not _unmet(incident, self.obligation):
            return False
        return self.applies is None or self.applies(incident)


def _unmet(incident: Incident, kind: str) -> bool:
    return any(d.kind == kind and d.is_unsettled for d in incident.deadlines.all())


def _sources(transition: str) -> tuple[str, ...]:
    return tuple(sorted({t.source for t in Incident._meta.get_field("state")
                         .get_all_transitions(Incident) if t.name == transition}))


def step_from(data: dict, **overrides) -> actions.Step:
    values = {"channel": data.get("channel") or Channel.SYSTEM,
              "recipient": data.get("recipient") or "", "note": data.get("note") or "",
              "occurred_at": data.get("occurred_at"),
              "late_reason": data.get("late_reason") or ""}
    values.update(overrides)
    return actions.Step(**values)


def heat_from(data: dict, *, required: bool = False) -> Heat | None:
    figures = {name: data.get(name) for name in ("clicks", "comments", "mainstream_sites")}
    if not required and all(v is None for v in figures.values()) \
            and not data.get("sensitive_topic") and not data.get("topics"):
        return None
    return Heat(**{k: v or 0 for k, v in figures.items()},
                sensitive_topic=bool(data.get("sensitive_topic")),
                topics=tuple(data.get("topics") or ()))


TRANSITION_STATES = {name: _sources(name) for name in
                     ("report", "classify", "respond", "review", "dismiss", "merge")}
OPEN = tuple(OPEN_STATES)

REGISTRY: dict[str, Verb] = {verb.name: verb for verb in [
    Verb("report", payload=payloads.ReportPayload, permission="report_incident",
         label=_("向舆情办报告"), states=TRANSITION_STATES["report"], transition=True,
         obligation=DeadlineKind.REPORT, covers=("verbal-report", "written-report"),
         call=lambda i, u, d, rev: actions.report_incident(i, u, step_from(d),
                                                           expected_revision=rev)),
    Verb("verbal-report", payload=payloads.VerbalReportPayload,
         permission="record_verbal_report", label=_("登记口头（电话）汇报"), states=OPEN,
         applies=lambda i: i.verbal_reported_at is None,
         call=lambda i, u, d, rev: actions.record_verbal_report(
             i, u, step_from(d, channel=Channel.PHONE), expected_revision=rev)),
    Verb("written-report", payload=payloads.WrittenReportPayload, permission="report_incident",
         label=_("报送书面汇报"), states=OPEN, obligation=DeadlineKind.WRITTEN_REPORT,
         call=lambda i, u, d, rev: actions.file_written_report(
             i, u, step_from(d, channel=Channel.WRITTEN), expected_revision=rev)),
    Verb("superior-report", payload=payloads.SuperiorReportPayload,
         permission="report_incident", label=_("报告上级主管部门"), states=OPEN,
         obligation=DeadlineKind.SUPERIOR_REPORT,
         call=lambda i, u, d, rev: actions.report_to_superior(i, u, step_from(d),
                                                              expected_revision=rev)),
    Verb("follow-up", payload=payloads.FollowUpPayload, permission="report_incident",
         label=_("报送续报"), states=OPEN, obligation=DeadlineKind.FOLLOW_UP,
         call=lambda i, u, d, rev: actions.file_follow_up_report(
             i, u, step_from(d), expected_revision=rev, progress=d.get("progress") or "",
             developments=d.get("developments") or "", next_steps=d.get("next_steps") or "")),
    Verb("classify", payload=payloads.ClassifyPayload, permission="classify_incident",
         label=_("研判定级"), states=TRANSITION_STATES["classify"], transition=True,
         call=lambda i, u, d, rev: actions.classify_incident(
             i, u, category=d["category"], severity=d.get("severity") or None,
             heat=heat_from(d), stage=d.get("stage") or None, step=step_from(d),
             expected_revision=rev)),
    Verb("upgrade", payload=payloads.UpgradePayload, permission="classify_incident",
         label=_("升级"), states=OPEN,
         call=lambda i, u, d, rev: actions.upgrade_severity(
             i, u, severity=d["severity"], reason=d["reason"], urgent=d.get("urgent"),
             expected_revision=rev)),
    Verb("downgrade", payload=payloads.UpgradePayload, permission="classify_incident",
         label=_("降低级别（舆情办，须说明理由）"), states=OPEN, office_only=True,
         applies=lambda i: bool(i.severity) and i.severity != "general",
         call=lambda i, u, d, rev: actions.lower_severity(
             i, u, severity=d["severity"], reason=d["reason"], expected_revision=rev)),
    Verb("metrics", payload=payloads.MetricsPayload, permission="update_incident_facts",
         label=_("记录传播数据"), states=OPEN,
         call=lambda i, u, d, rev: actions.record_metrics(
             i, u, heat=heat_from(d, required=True), stage=d["stage"],
             cause=d.get("cause") or "", attention=d.get("attention") or "",
             follow_up_posts=d.get("follow_up_posts") or 0, heat_index=d.get("heat_index"),
             stage_reason=d.get("stage_reason") or "", step=step_from(d),
             expected_revision=rev)),
    Verb("spreading", payload=payloads.SpreadingPayload, permission="classify_incident",
         label=_("标记扩散或难以化解（升级为重大）"), states=OPEN,
         applies=lambda i: i.severity == "general",
         call=lambda i, u, d, rev: actions.mark_spreading(
             i, u, reason=d["reason"], step=step_from(d), expected_revision=rev)),
    Verb("playbook-step", payload=payloads.PlaybookStepPayload, permission="respond_incident",
         label=_("完成分类处置步骤"), states=OPEN, obligation=DeadlineKind.PLAYBOOK_STEP,
         call=lambda i, u, d, rev: actions.complete_playbook_step(
             i, u, position=d["step"], step=step_from(d), body=d.get("body") or "",
             reference=d.get("reference") or "", referred_on=d.get("referred_on"),
             expected_revision=rev)),
    Verb("respond", payload=payloads.RespondPayload, permission="respond_incident",
         label=_("登记处置回应"), states=TRANSITION_STATES["respond"], transition=True,
         call=lambda i, u, d, rev: actions.respond_incident(
             i, u, step_from(d), response=d["response"], expected_revision=rev)),
    Verb("tracking", payload=payloads.TrackingPayload, permission="classify_incident",
         label=_("指定跟踪人员"), states=(State.RESPONDED,), office_only=True,
         call=lambda i, u, d, rev: actions.assign_tracker(
             i, u, person=d["person"], step=step_from(d), expected_revision=rev)),
    Verb("tracking-check", payload=payloads.StepPayload, permission="update_incident_facts",
         label=_("跟踪研判"), states=(State.RESPONDED,), obligation=DeadlineKind.TRACKING_CHECK,
         call=lambda i, u, d, rev: actions.check_tracking(i, u, step=step_from(d),
                                                          expected_revision=rev)),
    Verb("resolve", payload=payloads.StepPayload, permission="classify_incident",
         label=_("确认化解"), states=(State.RESPONDED,), office_only=True,
         applies=lambda i: not resolved(i),
         call=lambda i, u, d, rev: actions.resolve_incident(i, u, step=step_from(d),
                                                            expected_revision=rev)),
    Verb("summary", payload=payloads.SummaryPayload, permission="respond_incident",
         label=_("报送书面总结"), states=tuple(State.values), obligation=DeadlineKind.SUMMARY,
         call=lambda i, u, d, rev: actions.file_summary(
             i, u, step_from(d, channel=d.get("channel") or Channel.WRITTEN),
             unit=d.get("unit"), expected_revision=rev)),
    Verb("review", payload=payloads.ReviewPayload, permission="review_incident",
         label=_("复盘评估"), states=TRANSITION_STATES["review"], transition=True,
         call=lambda i, u, d, rev: actions.review_incident(
             i, u, step_from(d), findings=d["findings"], expected_revision=rev)),
    Verb("dismiss", payload=payloads.DismissPayload, permission="dismiss_incident",
         label=_("排除"), states=TRANSITION_STATES["dismiss"], transition=True,
         call=lambda i, u, d, rev: actions.dismiss_incident(i, u, step_from(d),
                                                            expected_revision=rev)),
    Verb("merge", payload=payloads.MergePayload, permission="merge_incident",
         label=_("合并至其他事件"), states=TRANSITION_STATES["merge"], transition=True,
         call=lambda i, u, d, rev: actions.merge_incident(
             i, u, step_from(d), into=d["into"], expected_revision=rev)),
    Verb("reassign", payload=payloads.ReassignPayload, permission="reassign_incident",
         label=_("变更责任单位或责任领导"), states=tuple(State.values),
         call=lambda i, u, d, rev: actions.change_owner(
             i, u, unit=d.get("owner_unit"), leader=d.get("accountable_leader"),
             reason=d["reason"], expected_revision=rev)),
    Verb("adopt-plan", payload=payloads.AdoptPlanPayload, permission="reassign_incident",
         label=_("改用新版预案"), states=OPEN,
         call=lambda i, u, d, rev: actions.adopt_plan_version(
             i, u, plan=d["plan"], reason=d["reason"], expected_revision=rev)),
]}
BY_SLUG = {verb.slug: verb for verb in REGISTRY.values()}


def register(verb: Verb) -> Verb:
    """Add a verb on incidents from a capability app (referrals, responses …), from its
    AppConfig.ready(): the core lists it without importing the app. Its API route exists once
    the URLs load, its form and admin action on first use."""
    if verb.name in REGISTRY or verb.slug in BY_SLUG:
        raise ValueError(f"verb {verb.name!r} is already declared")
    REGISTRY[verb.name] = verb
    BY_SLUG[verb.slug] = verb
    return verb


def permission_for(name: str) -> str:
    if name == "detect":
        return DETECT_PERMISSION
    return REGISTRY[name].permission


def office_only(name: str) -> bool:
    return name in REGISTRY and REGISTRY[name].office_only


def label_for(name: str) -> str:
    if name == "detect":
        return str(_("登记舆情"))
    return str(REGISTRY[name].label)


def may(user, verb: Verb, incident: Incident) -> bool:
    """Whether `user` may perform `verb` on `incident` now (state, role and unit)."""
    return verb.offered(incident) and may_in_some_state(user, verb, incident)


def may_in_some_state(user, verb: Verb, incident: Incident) -> bool:
    """`may` without the state: whether the role and unit let `user` perform `verb` on
    `incident` once it is in a state that offers it."""
    return (user.has_perm(f"incidents.{verb.permission}")
            and (not verb.office_only or policy.is_office(user))
            and selectors.may_act_on(user, incident))


def next_actions(incident: Incident, user) -> list[Verb]:
    """The verbs the user may perform on the incident now, in the registry's order."""
    return [verb for verb in REGISTRY.values() if may(user, verb, incident)]


def page_actions(incident: Incident, user) -> list[Verb]:
    """The verbs a page offers as forms: `next_actions` without those another offered verb
    covers, so the duty officer meets one report form (by phone: C01 and the C02 verbal
    report; in writing: C01 and the C02 written report) instead of three overlapping ones."""
    offered = next_actions(incident, user)
    covered = {name for verb in offered for name in verb.covers}
    return [verb for verb in offered if verb.name not in covered]


def perform(verb: Verb, incident: Incident, actor, data: dict,
            expected_revision: int | None = None) -> Incident:
    """Run a verb with validated input (from the API's payload or the page's form)."""
    return verb.call(incident, actor, data, expected_revision)
