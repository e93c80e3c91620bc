"""The referral slip pages (抄告单, C11–C13): a department's worklist of its slips (due times,
overdue in red) and one slip's page with its record, its document and a form for each verb the
user may use on it now (referrals.rules: the lead unit replies, the office approves, returns
and supervises, either extends; a co-unit reads). Each POST runs one verb through
referrals.verbs.perform; a bad field is shown on its form (400), a refusal as a message with
its status (403 who, 409 state), and nothing is stored."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from briefings.models import Briefing
from incidents import selectors as incident_selectors
from incidents.verb_forms import PayloadForm, payload_fields
from incidents.views import action_error_status
from opinion_ops.errors import ActionError, InvalidInput
from referrals import rules, selectors, verbs
from referrals.models import Referral


class SlipForm(PayloadForm):
    verb: rules.SlipVerb

    @property
    def title(self) -> str:
        return str(self.verb.label)


def _form_class(verb: rules.SlipVerb) -> type[SlipForm]:
    return type(f"Slip{verb.name.title()}Form", (SlipForm,),
                {"verb": verb, **payload_fields(verb.payload)})


FORMS = {name: _form_class(verb) for name, verb in rules.SLIP_VERBS.items()}


def form_for(verb: rules.SlipVerb, **kwargs) -> SlipForm:
    return FORMS[verb.name](prefix=verb.name, **kwargs)


def _visible(user):
    return selectors.visible_referrals(user).select_related("incident")


@login_required
def worklist(request):
    """The slips the user's unit leads or assists on (everything for the office): open ones
    first by due time; `?all=1` adds the approved ones."""
    now = timezone.now()
    rows = _visible(request.user)
    show_all = request.GET.get("all") == "1"
    if not show_all:
        rows = rows.filter(state__in=Referral.OPEN_STATES)
    rows = list(rows.order_by("due_at", "id")[:300])
    overdue = set(selectors.overdue(Referral.objects.filter(pk__in=[r.pk for r in rows]), now)
                  .values_list("pk", flat=True))
    for slip in rows:
        slip.overdue = slip.pk in overdue
        slip.under_supervision = bool(slip.is_open and slip.supervision_deadline
                                      and slip.supervision_deadline.is_unsettled)
        slip.mine_to_do = bool(rules.slip_actions(slip, request.user))
    return render(request, "console/referral_list.html",
                  {"slips": rows, "now": now, "show_all": show_all})


def _detail_context(request, slip, bound_form=None):
    now = timezone.now()
    slip.overdue = selectors.overdue(Referral.objects.filter(pk=slip.pk), now).exists()
    forms_ = [bound_form if bound_form is not None and bound_form.verb is verb
              else form_for(verb) for verb in rules.slip_actions(slip, request.user)]
    return {"slip": slip, "now": now, "verb_forms": forms_,
            "documents": slip.documents.order_by("-created_at", "-id"),
            # A co-unit sees the slip but not necessarily the incident: no link that 404s.
            "incident_visible": incident_selectors.visible_incidents(request.user)
            .filter(pk=slip.incident_id).exists()}


@login_required
def slip_detail(request, pk):
    slip = get_object_or_404(_visible(request.user), pk=pk)  # another unit's slip: 404
    return render(request, "console/referral_detail.html", _detail_context(request, slip))


@login_required
@require_POST
def slip_step(request, pk, verb):
    if verb not in rules.SLIP_VERBS:
        raise Http404(verb)
    slip = get_object_or_404(_visible(request.user), pk=pk)
    form = form_for(rules.SLIP_VERBS[verb], data=request.POST)
    status = 400
    if form.is_valid():
        try:
            verbs.perform(form.verb, slip, request.user, form.cleaned_data)
        except ActionError as error:
            if isinstance(error, InvalidInput):
                form.apply_action_error(error)
            else:
                messages.error(request, str(error))
            status = action_error_status(error)
        else:
            messages.success(request, _("已完成：%s") % form.title)
            return redirect("referral-page", pk=slip.pk)
    else:
        messages.error(request, _("“%s”未提交：请检查标红的字段") % form.title)
    slip = get_object_or_404(_visible(request.user), pk=pk)
    return render(request, "console/referral_detail.html",
                  _detail_context(request, slip, bound_form=form), status=status)


@login_required
def slip_document(request, pk, document):
    """The slip's document (PDF), for whoever may see the slip (a co-unit too), as an
    attachment."""
    slip = get_object_or_404(_visible(request.user), pk=pk)
    briefing = get_object_or_404(Briefing.objects.filter(referral=slip), pk=document)
    if not briefing.is_ready:
        raise Http404(_("文稿尚未生成"))
    response = FileResponse(briefing.file.open("rb"), as_attachment=True,
                            filename=briefing.download_name, content_type="application/pdf")
    response["X-Content-SHA256"] = briefing.sha256
    return response
