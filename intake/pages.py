"""What the lead list shows: a row per lead with its keywords highlighted, and the incidents a
lead may be attached to."""
import hashlib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from incidents import selectors
from incidents.models import Incident
from opinion_ops.errors import ActionError, InvalidInput, NotPermitted

from . import scoping
from .models import Lead


def highlight(text: str, keywords: list[str]) -> SafeString:
    """`text` escaped, with each keyword wrapped in <mark>."""
    html = escape(text)
    for word in sorted({k for k in keywords if k}, key=len, reverse=True):
        html = html.replace(escape(word), f"<mark>{escape(word)}</mark>")
    return mark_safe(html)


@dataclass
class LeadRow:
    lead: Lead
    title: SafeString
    excerpt: SafeString
    keywords: list[str]
    may_handle: bool


def row(lead: Lead, user) -> LeadRow:
    keywords = [k for m in lead.matched for k in m.get("keywords", [])]
    return LeadRow(lead, highlight(lead.title, keywords), highlight(lead.excerpt[:200], keywords),
                   keywords, lead.is_open and user.has_perm("intake.triage_lead")
                   and scoping.may_handle(user, lead))


def stamp(rows: list[LeadRow]) -> str:
    """What the rows show, in short: a digest of which leads, in which state, seen how often.
    The page's poll sends back the stamp of the rows it shows and gets 204 (nothing to swap)
    while it still holds, so the rows are replaced only when they change."""
    shown = ",".join(f"{r.lead.pk}:{r.lead.state}:{r.lead.times_seen}:"
                     f"{getattr(getattr(r.lead, 'triage', None), 'state', '')}" for r in rows)
    return hashlib.sha256(shown.encode()).hexdigest()[:20]


def attachable_incidents(user, states) -> list[Incident]:
    return list(selectors.visible_incidents(user, Incident.objects.filter(state__in=states))
                .order_by("-discovered_at")[:100])


def incident_from_form(user, value) -> Incident:
    """The incident chosen in the attach form, among those the user may see (else 'not found',
    as the incident API answers 404)."""
    if not str(value or "").isdigit():
        raise InvalidInput({"incident": _("请选择要并入的事件")})
    incident = selectors.visible_incidents(user).filter(pk=int(value)).first()
    if incident is None:
        raise InvalidInput({"incident": _("事件 #%s 不存在") % value})
    return incident


def error_text(exc: ActionError) -> str:
    if isinstance(exc, InvalidInput):
        return "；".join(str(message) for message in exc.errors.values())
    if isinstance(exc, NotPermitted):
        return str(exc)
    return str(exc)
