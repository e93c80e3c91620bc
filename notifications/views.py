"""Pages: the delivery log, the inbox, and the one-time acknowledgement link."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import selectors
from opinion_ops import live

from . import acknowledgement, delivery_log, inbox
from .forms import DeliveryFilterForm


@login_required
def delivery_list(request):
    filters = DeliveryFilterForm(request.GET or None)
    rows = delivery_log.visible_deliveries(request.user)
    page = Paginator(filters.filter(rows), 50).get_page(request.GET.get("page"))
    for delivery in page:
        delivery.shown = delivery_log.shown_to(request.user, delivery)
    return render(request, "notifications/delivery_list.html",
                  {"filters": filters, "page": page})


@login_required
@require_GET
def incident_deliveries(request, pk):
    """The incident page's deliveries section, polled by htmx while the incident is open: 204
    No Content (nothing to swap) while the stamp the page sends still holds, else the section.
    An incident the reader may not see is not found."""
    incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
    context = delivery_log.incident_section(request.user, incident)
    return live.section(request, context["stamp"], lambda: render(
        request, "notifications/_incident_deliveries.html", context), holds=context["live"])


@login_required
def inbox_list(request):
    items = list(inbox.items_for(request.user)[:200])
    for item in items:
        item.can_ack = inbox.can_acknowledge(item)
    return render(request, "notifications/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_acknowledge(request, pk):
    item = get_object_or_404(inbox.items_for(request.user), pk=pk)
    if inbox.acknowledge_item(item, request.user):
        messages.success(request, _("已确认，升级已停止。"))
    else:
        messages.info(request, _("该升级已确认或已结束，无需再次确认。"))
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
def acknowledge_link(request, token):
    """GET shows what is being acknowledged; only POST acknowledges, so link previews and
    mail scanners that fetch the URL do not stop a ladder."""
    try:
        ack = acknowledgement.resolve(token)
    except acknowledgement.LinkError as exc:
        return render(request, "notifications/ack_error.html", {"error": exc.message},
                      status=exc.status)
    # A group robot's link names no one: whoever acknowledges must be on the record (C24).
    if ack.person is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    notification = ack.notification
    if request.method == "GET":
        return render(request, "notifications/ack_confirm.html",
                      {"notification": notification, "token": ack,
                       "escalation": notification.escalation})
    try:
        outcome = acknowledgement.acknowledge_by_link(token, request.user)
    except acknowledgement.LinkError as exc:
        return render(request, "notifications/ack_error.html", {"error": exc.message},
                      status=exc.status)
    return render(request, "notifications/ack_done.html",
                  {"notification": notification, "outcome": outcome,
                   "escalation": outcome.escalation})
