"""Who may do what on a referral slip (C11–C13), declared once: each verb on a slip names the
referrals permission a role needs, the states it applies in and whose unit it is for (the lead
unit replies, the office reviews and supervises, either extends). The actions enforce it
(`authorise`), the pages offer a form only where `may` says so, and the API routes by name."""
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy as _

from opinion_ops.errors import NotPermitted
from organisation import policy
from organisation.actors import person_of

from . import payloads
from .models import Referral

LEAD = "lead"  # a person of the slip's lead unit
OFFICE = "office"  # the office (organisation.policy.is_office)
LEAD_OR_OFFICE = "lead_or_office"


@dataclass(frozen=True)
class SlipVerb:
    name: str  # the API route segment: POST /api/v1/referrals/{id}/<name>/
    permission: str  # codename of a referrals permission
    states: tuple[str, ...]
    who: str  # LEAD, OFFICE or LEAD_OR_OFFICE
    label: Promise
    refusal: Promise  # what a person outside `who` is told
    payload: type  # the input schema (referrals.payloads), for the API and the page alike

    def admits(self, user, slip: Referral) -> bool:
        """Whether the user is of whom the verb is for (the permission aside)."""
        if user is None or user.is_superuser:
            return True
        office = policy.is_office(user)
        if self.who == OFFICE:
            return office
        person = person_of(user)
        lead = person is not None and person.unit_id == slip.lead_unit_id
        return lead or (self.who == LEAD_OR_OFFICE and office)


SLIP_VERBS: dict[str, SlipVerb] = {verb.name: verb for verb in [
    SlipVerb("reply", "reply_referral", Referral.AWAITING_UNIT, LEAD, _("书面答复"),
             _("只有牵头单位可以答复抄告单"), payloads.ReplyPayload),
    SlipVerb("extend", "extend_referral", Referral.AWAITING_UNIT, LEAD_OR_OFFICE,
             _("延长答复期限"), _("只有牵头单位或舆情办可以延期"), payloads.ExtendPayload),
    SlipVerb("approve", "review_referral", (Referral.State.AWAITING_APPROVAL,), OFFICE,
             _("审定答复"), _("只有舆情办可以审定或督办抄告单"), payloads.ReviewPayload),
    SlipVerb("return", "review_referral", (Referral.State.AWAITING_APPROVAL,), OFFICE,
             _("退回重办"), _("只有舆情办可以审定或督办抄告单"), payloads.ReturnPayload),
    SlipVerb("supervise", "supervise_referral", Referral.OPEN_STATES, OFFICE, _("督办"),
             _("只有舆情办可以审定或督办抄告单"), payloads.SupervisePayload),
]}


def has_permission(user, verb: SlipVerb) -> bool:
    return user is None or user.has_perm(f"referrals.{verb.permission}")


def authorise(user, verb: SlipVerb, slip: Referral) -> None:
    """The role's permission, then whose unit the verb is for; the system may do anything."""
    if not has_permission(user, verb):
        raise NotPermitted(gettext("您的角色无权办理此抄告单事项"))
    if not verb.admits(user, slip):
        raise NotPermitted(str(verb.refusal))


def may(user, verb: SlipVerb, slip: Referral) -> bool:
    """Whether the user may use the verb on the slip now (state, role and unit)."""
    return slip.state in verb.states and has_permission(user, verb) and verb.admits(user, slip)


def slip_actions(slip: Referral, user) -> list[SlipVerb]:
    """The verbs the user may use on the slip now, in the declared order."""
    return [verb for verb in SLIP_VERBS.values() if may(user, verb, slip)]
