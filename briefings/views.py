"""The incident page's briefings: queue a document of a kind for the incident, and the rows of
its documents, which the page polls (htmx) while one is still being generated."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opinion_ops import live
from opinion_ops.errors import ActionError
from incidents import selectors

from .generation import request_briefing
from .models import Briefing

INCIDENT_KINDS = [Briefing.Kind.WRITTEN_REPORT, Briefing.Kind.FOLLOW_UP, Briefing.Kind.SUMMARY,
                  Briefing.Kind.AUDIT]


@login_required
@require_POST
def generate_for_incident(request, pk):
    incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
    kind = request.POST.get("kind", "")
    if kind not in INCIDENT_KINDS:
        messages.error(request, _("文稿类型无效：%s") % kind)
        return redirect("incident-detail", pk=incident.pk)
    try:
        briefing = request_briefing(kind, request.user, incident=incident)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已排队生成%s，生成后即在本页“书面文稿”中出现") % briefing.get_kind_display())
    return redirect("incident-detail", pk=incident.pk)


def briefing_rows(incident) -> dict:
    """The incident's documents, newest first, whether one is still queued, and a stamp of
    what the rows show (each document's id and status) that changes when they should."""
    briefings = list(incident.briefings.order_by("-created_at", "-id"))
    return {
        "briefings": briefings,
        "pending": any(b.status == Briefing.Status.QUEUED for b in briefings),
        "stamp": ",".join(f"{b.pk}:{b.status}" for b in briefings),
    }


@login_required
@require_GET
def incident_briefing_rows(request, pk):
    """The documents section, polled by htmx while one is queued. Given the stamp the page
    shows, it answers 204 No Content (nothing to swap) while that holds and a document is
    still pending; otherwise the section, without polling once none is pending."""
    incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
    context = briefing_rows(incident)
    response = live.section(request, context["stamp"], lambda: render(
        request, "briefings/_briefing_live.html", {**context, "incident": incident}),
        holds=context["pending"])
    response["X-Briefings-Stamp"] = context["stamp"]
    response["X-Briefings-Pending"] = "1" if context["pending"] else "0"
    return response
