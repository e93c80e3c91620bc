"""What briefings does when another app announces something: an issued referral slip gets its
document (网络舆情抄告单, C11) at once, in the official frame, rendered after the commit."""
import logging

from opinion_ops import events
from referrals.models import Referral

from . import generation
from .models import Briefing, BriefingTemplate

logger = logging.getLogger(__name__)


def _slip_document(*, referral_id, **_):
    # RECORD phase: the document's row stands or falls with the slip; the rendering is queued
    # for after the commit (request_briefing's on_commit).
    slip = Referral.objects.select_related("incident").get(pk=referral_id)
    if not BriefingTemplate.objects.exists():
        logger.warning("no briefing template: referral slip %s has no document", slip.pk)
        return
    generation.request_briefing(Briefing.Kind.REFERRAL_SLIP, None, incident=slip.incident,
                                referral=slip)


def connect() -> None:
    events.subscribe(events.REFERRAL_ISSUED, phase=events.RECORD)(_slip_document)
