"""The referral verb on an incident (`POST /api/v1/incidents/{id}/refer/`), added to the core's
registry; and what each verb on a slip itself runs (declared in referrals.rules; the API and
the slip page both call `perform`)."""
from django.utils.translation import gettext_lazy as _

from incidents import verbs
from incidents.models import State

from . import actions, rules
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


_SLIP_CALLS = {
    "reply": lambda slip, u, d: actions.reply_referral(
        slip, u, body=d["body"], step=verbs.step_from(d)),
    "extend": lambda slip, u, d: actions.extend_referral(
        slip, u, until=d["until"], reason=d["reason"]),
    "approve": lambda slip, u, d: actions.approve_reply(slip, u, comment=d.get("comment") or ""),
    "return": lambda slip, u, d: actions.return_reply(slip, u, comment=d["comment"]),
    "supervise": lambda slip, u, d: actions.supervise_referral(
        slip, u, channel=d["channel"], note=d["note"],
        step=verbs.step_from(d, channel=d["channel"])),
}
assert set(_SLIP_CALLS) == set(rules.SLIP_VERBS)


def perform(verb: rules.SlipVerb, slip, actor, data: dict):
    """Run a verb on a slip with validated input (the API's payload or the page's form)."""
    return _SLIP_CALLS[verb.name](slip, actor, data)
