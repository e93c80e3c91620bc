"""What the response pages show (C14–C17): a leadership member's approval inbox, the press
group's publication queue and the meetings of the incidents a user sees. Plain queries the
views call; who may act is still each action's to say."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from incidents import selectors
from organisation.actors import person_of

from . import approval, diffs
from .models import Meeting, PressGroup, ResponseDraft


@dataclass
class Waiting:
    draft: ResponseDraft
    version: object
    compared_with: str  # what the diff is against: "第 n 版" or the statement's topic
    segments: list


def _compared(draft: ResponseDraft, version):
    """The diff an approver reads: against the previous version, or for a first version built
    from the statement library, against that wording."""
    if version.number > 1:
        previous = draft.versions.get(number=version.number - 1)
        return _("第 %s 版") % previous.number, diffs.segments(previous.body, version.body)
    if draft.statement_id:
        return _("口径“%s”") % draft.statement.topic, diffs.segments(draft.statement.body,
                                                             version.body)
    return "", diffs.segments("", version.body)


def inbox(user) -> list[Waiting]:
    """Drafts waiting for this user's decision: pending, the plan names them an approver at the
    incident's severity, they wrote no version, and they have not decided on this version."""
    person = person_of(user)
    if person is None:
        return []
    rows = []
    drafts = selectors.of_visible_incidents(
        user, ResponseDraft.objects.filter(state=ResponseDraft.State.PENDING)
        .select_related("incident", "statement", "created_by"), "incident")
    for draft in drafts.order_by("created_at", "id"):
        rule = approval.rule_for(draft.incident, draft.kind)
        if rule is None or user.pk in approval.authors(draft):
            continue
        if person not in approval.approvers(draft.incident, rule):
            continue
        version = draft.current
        if version.decisions.filter(approver=person).exists():
            continue
        against, segments = _compared(draft, version)
        rows.append(Waiting(draft, version, against, segments))
    return rows


def publication_queue(user) -> list[ResponseDraft]:
    """Approved drafts this user may publish: on incidents whose press group names them the
    spokesperson, or drafts they were named to publish (C17)."""
    person = person_of(user)
    if person is None:
        return []
    spoken_for = PressGroup.objects.filter(spokesperson=person).values_list("incident_id",
                                                                           flat=True)
    drafts = selectors.of_visible_incidents(
        user, ResponseDraft.objects.filter(state__in=[ResponseDraft.State.APPROVED,
                                                      ResponseDraft.State.PUBLISHED])
        .select_related("incident"), "incident")
    return [draft for draft in drafts.order_by("created_at", "id")
            if draft.incident_id in set(spoken_for) or draft.named_publisher_id == person.pk]


def visible_meetings(user):
    return selectors.of_visible_incidents(
        user, Meeting.objects.select_related("incident", "lead_unit", "release_approver")
        .prefetch_related("attendees", "tasks__owner_unit", "tasks__owner", "tasks__deadline"),
        "incident")


def drafts_visible(user):
    return selectors.of_visible_incidents(user, ResponseDraft.objects.all(), "incident")
