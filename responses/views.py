"""Pages of the response procedure (C14–C17): the approval inbox, the publication queue and
the meeting pages. Each POST calls one action; a refusal is shown as a message with the
action's reason and its status (403 who, 409 state, 400 field), and nothing is stored."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opinion_ops.errors import ActionError, InvalidInput, NotPermitted

from . import actions, meetings, pages
from .models import MeetingTask


def _status(error: ActionError) -> int:
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, InvalidInput):
        return 400
    return 409


def _refused(request, error: ActionError, page):
    """The page again, with the refusal's reason and its status; nothing was stored."""
    messages.error(request, str(error))
    response = page(request)
    response.status_code = _status(error)
    return response


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
def approval_inbox(request):
    return render(request, "responses/inbox.html", {"waiting": pages.inbox(request.user)})


@login_required
@require_POST
def decide(request, pk):
    """Approve or reject the shown version in one step (C16)."""
    draft = get_object_or_404(pages.drafts_visible(request.user), pk=pk)
    verdict = request.POST.get("verdict")
    comment = request.POST.get("comment", "")
    try:
        if verdict == "approve":
            actions.approve_draft(draft, request.user, comment=comment,
                                  version=_version(request))
            messages.success(request, _("已同意%s") % draft.get_kind_display())
        elif verdict == "reject":
            actions.reject_draft(draft, request.user, comment=comment,
                                 version=_version(request))
            messages.success(request, _("已退回%s") % draft.get_kind_display())
        else:
            raise InvalidInput({"verdict": _("请选择同意或退回")})
    except ActionError as error:
        return _refused(request, error, approval_inbox)
    return redirect("responses:inbox")


@login_required
def publication_queue(request):
    return render(request, "responses/queue.html",
                  {"drafts": pages.publication_queue(request.user)})


@login_required
@require_POST
def publish(request, pk):
    """The spokesperson publishes the approved current version (C17)."""
    draft = get_object_or_404(pages.drafts_visible(request.user), pk=pk)
    try:
        actions.publish_draft(draft, request.user, where=request.POST.get("where", ""),
                              url=request.POST.get("url", ""), version=_version(request))
    except ActionError as error:
        return _refused(request, error, publication_queue)
    messages.success(request, _("已发布%s") % draft.get_kind_display())
    return redirect("responses:queue")


@login_required
def meeting_list(request):
    rows = pages.visible_meetings(request.user).order_by("-held_at", "-id")[:200]
    return render(request, "responses/meeting_list.html", {"meetings": rows})


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(pages.visible_meetings(request.user), pk=pk)
    return render(request, "responses/meeting_detail.html", {"meeting": meeting})


@login_required
@require_POST
def meeting_minutes(request, pk):
    """Minutes upload (type- and size-limited, never served as a page, C14, C15)."""
    meeting = get_object_or_404(pages.visible_meetings(request.user), pk=pk)
    upload = request.FILES.get("minutes")
    try:
        if upload is None:
            raise InvalidInput({"minutes": _("请选择会议纪要文件")})
        meetings.attach_minutes(meeting, request.user, upload=upload)
    except ActionError as error:
        return _refused(request, error, lambda r: meeting_detail(r, meeting.pk))
    messages.success(request, _("会议纪要已上传"))
    return redirect(meeting_url(meeting))


@login_required
@require_POST
def task_done(request, pk):
    task = get_object_or_404(MeetingTask.objects.filter(
        meeting__in=pages.visible_meetings(request.user)).select_related("meeting"), pk=pk)
    try:
        meetings.complete_task(task, request.user, outcome=request.POST.get("outcome", ""))
    except ActionError as error:
        return _refused(request, error, lambda r: meeting_detail(r, task.meeting_id))
    messages.success(request, _("任务“%s”已完成") % task.title)
    return redirect(meeting_url(task.meeting))


def meeting_url(meeting) -> str:
    return reverse("responses:meeting", args=[meeting.pk])
