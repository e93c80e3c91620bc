"""The robot endpoints a monitoring tool pushes to, and the duty officer's lead list.

The endpoints speak the providers' protocols (intake.protocols) and are CSRF-exempt: the
token in the URL (and the signature, when the source has a secret) is the credential.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from incidents.models import OPEN_STATES
from accounts.client_address import client_address
from opinion_ops import live
from opinion_ops.errors import ActionError

from . import actions, pages, scoping
from .models import Lead, SourceKind
from .protocols import PROTOCOLS
from .protocols.base import Request
from .receiving import receive_robot_push, refuse_oversized


def _remote(request) -> str:
    return client_address(request)


def _robot(kind: str, request, token: str) -> JsonResponse:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > PROTOCOLS[kind].max_body_bytes:
        # Refused before the body is read, so an oversized push costs nothing.
        reply = refuse_oversized(kind, token, int(declared), remote_addr=_remote(request))
    else:
        reply = receive_robot_push(kind, Request(token=token, query=request.GET.dict(),
                                                 body=request.body),
                                   remote_addr=_remote(request))
    response = JsonResponse(reply.body, status=reply.status,
                            json_dumps_params={"ensure_ascii": False})
    if reply.retry_after is not None:
        response["Retry-After"] = str(reply.retry_after)
    return response


@csrf_exempt
@require_POST
def dingtalk_send(request):
    return _robot(SourceKind.DINGTALK, request, request.GET.get("access_token", ""))


@csrf_exempt
@require_POST
def wecom_send(request):
    return _robot(SourceKind.WECOM, request, request.GET.get("key", ""))


@csrf_exempt
@require_POST
def feishu_hook(request, token: str):
    return _robot(SourceKind.FEISHU, request, token)


def _lead_page(request) -> dict:
    leads = scoping.visible_leads(request.user).select_related(
        "source", "unit", "assignee", "incident", "triage")
    state = request.GET.get("state", Lead.State.NEW)
    if state in Lead.State.values:
        leads = leads.filter(state=state)
    page = Paginator(leads.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    rows = [pages.row(lead, request.user) for lead in page]
    return {"page": page, "rows": rows, "state": state, "stamp": pages.stamp(rows)}


@login_required
def lead_list(request):
    return render(request, "intake/lead_list.html", {
        **_lead_page(request), "states": Lead.State.choices,
        "incidents": pages.attachable_incidents(request.user, OPEN_STATES),
    })


@login_required
def lead_rows(request):
    """The list's rows, polled by htmx twice a second (C06: a pushed lead is on the duty
    officer's screen within a second). Given the stamp of the rows the page shows, it answers
    204 No Content (htmx swaps nothing) while they still hold; otherwise the list's tbody, whose
    stamp the next poll sends. X-Lead-Stamp says what they show."""
    context = _lead_page(request)
    response = live.section(request, context["stamp"], lambda: render(
        request, "intake/_lead_body.html",
        {**context, "incidents": pages.attachable_incidents(request.user, OPEN_STATES)}))
    response["X-Lead-Stamp"] = context["stamp"]
    return response


@login_required
@require_POST
def lead_step(request, pk: int, verb: str):
    lead = get_object_or_404(scoping.visible_leads(request.user), pk=pk)
    try:
        if verb == "open":
            incident = actions.open_incident(lead, request.user,
                                             urgent=request.POST.get("urgent") == "on")
            messages.success(request, _("已由线索立为事件 #%s") % incident.pk)
            return redirect("incident-detail", pk=incident.pk)
        if verb == "attach":
            incident = pages.incident_from_form(request.user, request.POST.get("incident"))
            actions.attach_lead(lead, request.user, incident=incident)
            messages.success(request, _("线索已并入事件 #%s") % incident.pk)
        elif verb == "dismiss":
            actions.dismiss_lead(lead, request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("线索已排除"))
        else:
            messages.error(request, _("未知操作"))
    except ActionError as exc:
        messages.error(request, pages.error_text(exc))
    return redirect("intake-leads-page")
