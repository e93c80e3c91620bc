"""The response verbs on an incident, added to the core's registry (routes, page forms, admin
actions, next_actions come from there): drafting a response, designating the spokesperson,
issuing the bulletin. `POST /api/v1/incidents/{id}/drafts/` has its own route as well (it
answers 201 with the draft, responses.api); the verbs on a draft itself are in responses.api."""
from django.utils.translation import gettext_lazy as _

from incidents import verbs
from incidents.models import OPEN_STATES
from plans.models import DeadlineKind

from . import actions, press, procedure
from .payloads import (BulletinPayload, DraftPayload, InvestigationOrderPayload,
                       LeadershipReportPayload, SpokespersonPayload)

OPEN = tuple(OPEN_STATES)


def _draft(incident, actor, data, revision):
    actions.create_draft(incident, actor, kind=data["kind"], body=data["body"],
                         statement=data.get("statement"), step=verbs.step_from(data),
                         expected_revision=revision)
    return incident


def _spokesperson(incident, actor, data, revision):
    return press.designate_spokesperson(incident, actor, person=data["person"],
                                        members=data.get("members") or [],
                                        step=verbs.step_from(data), expected_revision=revision)


def _bulletin(incident, actor, data, revision):
    return press.issue_bulletin(incident, actor, step=verbs.step_from(data),
                                expected_revision=revision)


def _leadership_report(incident, actor, data, revision):
    return procedure.report_to_leadership(incident, actor, step=verbs.step_from(data),
                                          expected_revision=revision)


def _investigation_order(incident, actor, data, revision):
    return procedure.order_investigation(incident, actor, unit=data.get("unit"),
                                         step=verbs.step_from(data), expected_revision=revision)


DRAFTS = verbs.Verb("drafts", call=_draft, payload=DraftPayload, permission="respond_incident",
                    label=_("起草回应稿"), states=OPEN)
SPOKESPERSON = verbs.Verb("spokesperson", call=_spokesperson, payload=SpokespersonPayload,
                          permission="reassign_incident", label=_("指定新闻发言人"), states=OPEN)
BULLETIN = verbs.Verb("bulletin", call=_bulletin, payload=BulletinPayload,
                      permission="report_incident", label=_("发布网络舆情通报"), states=OPEN,
                      obligation=DeadlineKind.BULLETIN)


# C14: the office's steps of the major procedure.
LEADERSHIP_REPORT = verbs.Verb(
    "leadership-report", call=_leadership_report, payload=LeadershipReportPayload,
    permission="classify_incident", label=_("向领导小组报告"), states=OPEN, office_only=True,
    obligation=DeadlineKind.OFFICE_REPORT)
INVESTIGATION_ORDER = verbs.Verb(
    "investigation-order", call=_investigation_order, payload=InvestigationOrderPayload,
    permission="classify_incident", label=_("责成涉事单位调查"), states=OPEN, office_only=True,
    obligation=DeadlineKind.INVESTIGATION_ORDER)


def register_incident_verbs() -> None:
    for verb in (DRAFTS, SPOKESPERSON, BULLETIN, LEADERSHIP_REPORT, INVESTIGATION_ORDER):
        if verb.name not in verbs.REGISTRY:
            verbs.register(verb)
