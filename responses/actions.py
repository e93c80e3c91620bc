"""The verbs of a public response (C16, C17): draft, revise, approve, reject, publish.

Each runs in the incident core's step context (the incident locked, its timeline written, its
revision bumped) with the draft locked beside it. Approval windows are incident deadlines,
opened, met and cancelled through incidents.deadlines. Who may act is this module's to say:
the plan's approval rule (responses.approval) for approving, the press group's spokesperson
for publishing (C17), the respond permission and the access policy for writing.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from incidents import deadlines, playbooks, selectors
from incidents.actions.step import Step, StepContext, step_context
from incidents.models import Deadline, Event, Incident
from opinion_ops.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from organisation.actors import person_of
from plans.models import DeadlineKind, ResponseKind

from . import approval
from .models import Decision, DraftVersion, PressGroup, Publication, ResponseDraft, Statement

WRITE_PERMISSION = "incidents.respond_incident"


def create_draft(incident: Incident, actor, *, kind: str, body: str,
                 statement: Statement | None = None, step: Step = Step(),
                 expected_revision: int | None = None) -> ResponseDraft:
    """C16: a public response is drafted (a reply, the unified reply of C10a, a press release
    with its agreed wording, a statement, a post, talking points). It goes to the approvers the
    plan names for its kind at the incident's severity, within the plan's approval window.
    Who may write is asked before what they wrote (403 before 400)."""
    require_writer(actor, incident)
    if not body.strip():
        raise InvalidInput({"body": _("请填写回应稿正文")})
    with step_context(incident, actor, "drafts", step, expected_revision=expected_revision) as s:
        rule = _rule(s.incident, kind)
        draft = ResponseDraft.objects.create(incident=s.incident, kind=kind, statement=statement,
                                             created_by=s.actor, created_at=s.at)
        version = DraftVersion.objects.create(draft=draft, number=1, body=body, author=s.actor,
                                              written_at=s.at)
        s.record(Event.RESPONSE_DRAFTED, clause=rule.clause,
                 note=_("起草%(kind)s（第 1 版），送%(who)s审定%(from)s") % {
                     "kind": draft.get_kind_display(), "who": rule.get_audience_display(),
                     "from": _("，依据口径“%s”") % statement.topic if statement else ""},
                 data={"draft": draft.pk, "version": 1, "kind": kind})
        _open_window(s, version, rule)
    return draft


def revise_draft(draft: ResponseDraft, actor, *, body: str, version: int | None = None,
                 step: Step = Step()) -> ResponseDraft:
    """C16: each edit is a new version; the approvals of the previous one do not carry over
    and its approval window gives way to the new version's. `version` is the one the editor
    started from: when another editor has revised it meanwhile, nothing is overwritten (409)."""
    require_writer(actor, draft.incident)
    if not body.strip():
        raise InvalidInput({"body": _("请填写回应稿正文")})
    with _draft_step(draft, actor, "revise_draft", step) as (s, locked):
        previous = _current(locked, version, "revise")
        if body == previous.body:
            raise InvalidInput({"body": _("正文与第 %s 版相同") % previous.number})
        rule = _rule(s.incident, locked.kind)
        locked.version += 1
        locked.state = ResponseDraft.State.PENDING
        locked.save(update_fields=["version", "state"])
        version = DraftVersion.objects.create(draft=locked, number=locked.version, body=body,
                                              author=s.actor, written_at=s.at)
        s.record(Event.RESPONSE_REVISED, clause=rule.clause,
                 note=_("%(kind)s修改为第 %(n)s 版，原有审定意见不再有效，重新送审") % {
                     "kind": locked.get_kind_display(), "n": version.number},
                 data={"draft": locked.pk, "version": version.number})
        if previous.approval_deadline_id:
            deadlines.cancel_pending(s.incident, reason=_("回应稿已修改为第 %s 版") % version.number,
                                     actor=actor, ids=[previous.approval_deadline_id])
        _open_window(s, version, rule)
    return locked


def approve_draft(draft: ResponseDraft, actor, *, comment: str = "",
                  version: int | None = None, step: Step = Step()) -> ResponseDraft:
    """C16: an approver the plan names approves the current version; with the rule's quorum
    (one of them, or all of them) reached the version is approved and its window met. Nobody
    approves a draft they wrote a version of."""
    with _draft_step(draft, actor, "approve_draft", step) as (s, locked):
        person, rule, current = _decide(s, locked, actor, version)
        Decision.objects.create(version=current, approver=person,
                                verdict=Decision.Verdict.APPROVE, comment=comment,
                                decided_at=s.at)
        reached = approval.quorum_reached(locked, current, rule)
        s.record(Event.RESPONSE_APPROVED, clause=rule.clause,
                 note=_("%(who)s同意%(kind)s第 %(n)s 版%(done)s%(comment)s") % {
                     "who": person.name, "kind": locked.get_kind_display(), "n": current.number,
                     "done": _("，审定完成") if reached else _("，尚待其他审定人"),
                     "comment": _("：%s") % comment if comment else ""},
                 data={"draft": locked.pk, "version": current.number, "approved": reached})
        if reached:
            current.approved_under, current.approved_at = rule, s.at
            current.save(update_fields=["approved_under", "approved_at"])
            locked.state = ResponseDraft.State.APPROVED
            locked.save(update_fields=["state"])
            _meet_window(s, current)
            if locked.kind == ResponseKind.UNIFIED_REPLY:
                # C10a: the unified reply approved (the department head, for a general
                # incident) meets the inquiry playbook's reply step.
                playbooks.meet_by_verb(s.incident, playbooks.UNIFIED_REPLY, at=s.at,
                                       recorded_at=s.now, actor=s.actor)
    return locked


def reject_draft(draft: ResponseDraft, actor, *, comment: str,
                 version: int | None = None, step: Step = Step()) -> ResponseDraft:
    """C16: an approver rejects the current version with a comment; the drafter revises it
    (a new version, a new window)."""
    if not comment.strip():
        raise InvalidInput({"comment": _("请填写退回意见")})
    with _draft_step(draft, actor, "reject_draft", step) as (s, locked):
        person, rule, current = _decide(s, locked, actor, version)
        Decision.objects.create(version=current, approver=person,
                                verdict=Decision.Verdict.REJECT, comment=comment,
                                decided_at=s.at)
        locked.state = ResponseDraft.State.REJECTED
        locked.save(update_fields=["state"])
        s.record(Event.RESPONSE_REJECTED, clause=rule.clause,
                 note=_("%(who)s退回%(kind)s第 %(n)s 版：%(comment)s") % {
                     "who": person.name, "kind": locked.get_kind_display(),
                     "n": current.number, "comment": comment},
                 data={"draft": locked.pk, "version": current.number})
        _meet_window(s, current)
    return locked


def publish_draft(draft: ResponseDraft, actor, *, where: str, url: str,
                  version: int | None = None, step: Step = Step()) -> Publication:
    """C17: only the incident's spokesperson (or the person the press group named for this
    release) publishes, and only the approved current version; where, when, the link and by
    whom are recorded."""
    errors = {}
    if not where.strip():
        errors["where"] = _("请填写发布平台或账号")
    if not url.strip():
        errors["url"] = _("请填写发布链接")
    if errors:
        raise InvalidInput(errors)
    with _draft_step(draft, actor, "publish_draft", step) as (s, locked):
        person = _require_publisher(actor, s.incident, locked)
        current = _current(locked, version, "publish")
        if locked.state not in (ResponseDraft.State.APPROVED, ResponseDraft.State.PUBLISHED):
            raise TransitionNotAllowed("publish", locked.state, locked.get_state_display(),
                                       reason=_("第 %s 版未经审定，不能发布") % current.number)
        publication = Publication.objects.create(version=current, where=where, url=url,
                                                 published_by=person, published_at=s.at)
        locked.state = ResponseDraft.State.PUBLISHED
        locked.save(update_fields=["state"])
        s.record(Event.RESPONSE_PUBLISHED, clause="C17", recipient=where,
                 note=_("%(who)s在%(where)s发布%(kind)s第 %(n)s 版：%(url)s") % {
                     "who": person.name, "where": where, "kind": locked.get_kind_display(),
                     "n": current.number, "url": url},
                 data={"draft": locked.pk, "version": current.number,
                       "publication": publication.pk, "url": url})
    return publication


def name_publisher(draft: ResponseDraft, actor, *, person) -> ResponseDraft:
    """C17: the press group's spokesperson names someone else to publish this one release."""
    with _draft_step(draft, actor, "name_publisher") as (s, locked):
        group = PressGroup.objects.filter(incident=s.incident).first()
        speaker = person_of(actor)
        if group is None or speaker is None or group.spokesperson_id != speaker.pk:
            raise NotPermitted(_("只有本事件的新闻发言人可以指定本稿的发布人"))
        locked.named_publisher = person
        locked.save(update_fields=["named_publisher"])
        s.record(Event.NOTE, clause="C17",
                 note=_("新闻发言人%(speaker)s指定%(person)s发布%(kind)s #%(id)s") % {
                     "speaker": speaker.name, "person": person.name,
                     "kind": locked.get_kind_display(), "id": locked.pk},
                 data={"draft": locked.pk, "named_publisher": person.pk})
    return locked


# ------------------------------------------------------------------------------ the mechanics

@contextmanager
def _draft_step(draft: ResponseDraft, actor, verb: str,
                step: Step = Step()) -> Iterator[tuple[StepContext, ResponseDraft]]:
    """The incident's step context for a verb on one draft, with the draft locked inside it.
    Who may act is checked by the verb itself (writer, approver or publisher)."""
    if actor is not None and not selectors.may_act_on(actor, draft.incident):
        raise NotPermitted(_("该事件不属于您的单位，您无权处理此回应稿"))
    with step_context(draft.incident, actor, verb, step, authorised=True) as s:
        locked = ResponseDraft.objects.select_for_update(of=("self",)).get(pk=draft.pk)
        yield s, locked


def _rule(incident: Incident, kind: str):
    rule = approval.rule_for(incident, kind)
    if rule is None:
        raise InvalidInput({"kind": _("本事件适用的预案未规定此类回应稿由谁审定")})
    return rule


def require_writer(actor, incident: Incident) -> None:
    if actor is not None and not actor.has_perm(WRITE_PERMISSION):
        raise NotPermitted(_("您的角色无权起草或修改回应稿"))


def _current(draft: ResponseDraft, version: int | None, verb: str) -> DraftVersion:
    """The version acted on: the current one; an older one is superseded (409)."""
    if version is not None and version != draft.version:
        raise TransitionNotAllowed(verb, draft.state, draft.get_state_display(),
                                   reason=_("第 %(old)s 版已被第 %(new)s 版取代") % {
                                       "old": version, "new": draft.version})
    return draft.current


def _decide(s: StepContext, draft: ResponseDraft, actor, version: int | None):
    """Who decides and under which rule: an approver of the rule, not a writer of the draft,
    once per version, on a version still waiting."""
    person = person_of(actor)
    if person is None:
        raise NotPermitted(_("没有人员档案的账号不能审定回应稿"))
    rule = _rule(s.incident, draft.kind)
    if actor.pk in approval.authors(draft):
        raise NotPermitted(_("不能审定本人起草或修改的回应稿"))
    if person not in approval.approvers(s.incident, rule):
        raise NotPermitted(_("此%(kind)s须由%(who)s审定") % {
            "kind": draft.get_kind_display(), "who": rule.get_audience_display()})
    current = _current(draft, version, "approve")
    if draft.state != ResponseDraft.State.PENDING:
        raise TransitionNotAllowed("approve", draft.state, draft.get_state_display(),
                                   reason=_("第 %s 版不在待审定状态") % current.number)
    if current.decisions.filter(approver=person).exists():
        raise TransitionNotAllowed("approve", draft.state, draft.get_state_display(),
                                   reason=_("您已对第 %s 版提出过意见") % current.number)
    return person, rule, current


def _require_publisher(actor, incident: Incident, draft: ResponseDraft):
    person = person_of(actor)
    group = PressGroup.objects.filter(incident=incident).select_related("spokesperson").first()
    if group is None or group.spokesperson is None:
        raise NotPermitted(_("本事件尚未指定新闻发言人，任何人不得发布"))
    if person is None or person.pk not in (group.spokesperson_id, draft.named_publisher_id):
        raise NotPermitted(_("只有本事件的新闻发言人（%s）或其指定的发布人可以发布")
                           % group.spokesperson.name)
    return person


def _open_window(s: StepContext, version: DraftVersion, rule) -> None:
    unit, person = approval.owed_by(s.incident, rule)
    deadline = s.open(DeadlineKind.RESPONSE_APPROVAL, start=s.at, owed_by_unit=unit,
                      owed_by_person=person, repeat=True)
    if deadline is not None:
        version.approval_deadline = deadline
        version.save(update_fields=["approval_deadline"])


def _meet_window(s: StepContext, version: DraftVersion) -> None:
    if version.approval_deadline_id:
        deadlines.meet_rows(s.incident, Deadline.objects.filter(pk=version.approval_deadline_id),
                            at=s.at, recorded_at=s.now, actor=s.actor)


def adopt_statement(draft: ResponseDraft, actor, *, topic: str) -> Statement:
    """C15, C16: the approved wording of a draft enters the statement library (口径库) under a
    topic, with its approver of record and the time of approval, for reuse in new drafts."""
    require_writer(actor, draft.incident)
    if not topic.strip():
        raise InvalidInput({"topic": _("请填写口径主题")})
    with _draft_step(draft, actor, "adopt_statement") as (s, locked):
        current = locked.current
        if current.approved_at is None:
            raise TransitionNotAllowed("adopt_statement", locked.state,
                                       locked.get_state_display(),
                                       reason=_("未经审定的稿件不能作为口径入库"))
        if Statement.objects.filter(source_version=current).exists():
            raise TransitionNotAllowed("adopt_statement", locked.state,
                                       locked.get_state_display(),
                                       reason=_("第 %s 版已入口径库") % current.number)
        approver = current.decisions.filter(verdict=Decision.Verdict.APPROVE) \
            .order_by("decided_at", "id").last().approver
        statement = Statement.objects.create(
            topic=topic, body=current.body, source_version=current, approved_by=approver,
            approved_at=current.approved_at, added_by=s.actor, added_at=s.now)
        s.record(Event.STATEMENT_ADOPTED, clause="C15",
                 note=_("%(kind)s第 %(n)s 版作为口径“%(topic)s”入库（审定人：%(who)s）") % {
                     "kind": locked.get_kind_display(), "n": current.number, "topic": topic,
                     "who": approver.name},
                 data={"draft": locked.pk, "statement": statement.pk})
    return statement
