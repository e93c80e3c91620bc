"""Each role's home: what to do next, and by when.

`/` sends each user to their home (console.homes.home_of): the office's board, leadership's
major incidents, the duty officer's "log an incident" form with their leads and open incidents,
the auditor's audit pages, or a handler's own open incidents.
"""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from incidents.forms import DetectForm
from intake import scoping
from intake.models import Lead

from . import homes
from .forms import BoardFilterForm

LEADS_SHOWN = 10


@login_required
def home(request):
    where = homes.home_of(request.user)
    if where == "board":
        return board(request)
    now = timezone.now()
    context = {"now": now, "home": where}
    if where == "duty":
        context["form"] = DetectForm(initial={"discovered_at": timezone.localtime(now).replace(
            second=0, microsecond=0)})
        context["leads"] = _new_leads(request.user)
    if where == "leadership":
        context["major"] = homes.major_open_incidents(request.user, now)
        context["overdue"] = homes.overdue_open_incidents(request.user, now)
        context["drafts"] = homes.drafts_awaiting(request.user)
        context["approval_inbox_url"] = _approval_inbox_url()
    else:
        context["mine"] = homes.my_open_incidents(request.user, now)
    return render(request, f"console/home_{where}.html", context)


@login_required
def board(request):
    filters = BoardFilterForm(request.GET or None)
    now = timezone.now()
    columns = homes.board(request.user, now, **filters.criteria())
    return render(request, "console/board.html",
                  {"filters": filters, "columns": columns, "now": now})


# The responses app's page of drafts to approve, under whichever of these names it is
# routed; until it exists the home's own list is the way in.
APPROVAL_INBOX_NAMES = ("responses:approvals", "responses:inbox", "approval-inbox")


def _approval_inbox_url() -> str:
    for name in APPROVAL_INBOX_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _new_leads(user) -> list[Lead] | None:
    """The newest untriaged leads the user sees; None when their role has no lead list."""
    if not user.has_perm("intake.view_lead"):
        return None
    return list(scoping.visible_leads(user).filter(state=Lead.State.NEW)
                .select_related("source", "unit").order_by("-received_at", "-id")[:LEADS_SHOWN])
