"""The referral verb on an incident (`POST /api/v1/incidents/{id}/refer/`), added to the core's
registry; the verbs on a slip itself are in referrals.api."""
from django.utils.translation import gettext_lazy as _

from incidents import verbs
from incidents.models import State

from . import actions
from .payloads import ReferPayload


def _refer(incident, actor, data, revision):
    actions.refer_incident(incident, actor, lead_unit=data["lead_unit"],
                           co_units=data.get("co_units") or [],
                           instruction=data["instruction"], urgent=data.get("urgent", False),
                           step=verbs.step_from(data), expected_revision=revision)
    return incident


REFER = verbs.Verb(
    "refer", call=_refer, payload=ReferPayload, permission="classify_incident",
    label=_("签发抄告单"), states=(State.CLASSIFIED, State.RESPONDED))


def register_incident_verbs() -> None:
    if REFER.name not in verbs.REGISTRY:
        verbs.register(REFER)
