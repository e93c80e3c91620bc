"""The incident page's briefing form: queue a document of a kind for the incident."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
        messages.success(request, _("已排队生成%s，稍后刷新页面下载") % briefing.get_kind_display())
    return redirect("incident-detail", pk=incident.pk)
