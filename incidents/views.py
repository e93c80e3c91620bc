"""The pages people use after logging in: the incident list, one incident, and its verbs.

Views stay small: they read, bind a form and call one action. An action's refusal is shown on
the page with the status an API would give (400 bad input, 403 role, 409 state or revision),
with the form as it was typed.

The incident page offers each verb the user may perform now as a button; its form is built
only when the button is pressed (GET …/<verb>/form/, the fragment htmx puts in place of the
button), or, without script, on a page of that one form (GET …/<verb>/, the button's link).
Building every offered verb's form on each view of the page was most of its cost
(bench/console.py). A form that comes back with errors is shown open, as it was typed.
"""
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opinion_ops.errors import (ActionError, InvalidInput, NotPermitted, StaleRevision,
    TransitionNotAllowed)
from . import selectors, verbs
from .forms import DetectForm, IncidentFilterForm
from .paging import BoundedPaginator
from .verb_forms import VerbForm, form_for
from .models import OPEN_STATES, Deadline, Escalation, Incident, Severity


def action_error_status(error: ActionError) -> int:
    if isinstance(error, NotPermitted):
        return 403
    if isinstance(error, (TransitionNotAllowed, StaleRevision)):
        return 409
    return 400


def _mark_overdue(deadlines, now):
    """What a page shows of each row: overdue as DeadlineQuerySet defines it, minutes late so
    far, and minutes early by the stated time."""
    for deadline in deadlines:
        deadline.overdue = deadline.is_overdue(now)
        deadline.late_now = round((now - deadline.due_at).total_seconds() / 60)
        deadline.early = -deadline.minutes_late if (deadline.minutes_late or 0) < 0 else None
    return deadlines


@login_required
def incident_list(request):
    filters = IncidentFilterForm(request.GET or None)
    incidents = Incident.objects.select_related("owner_unit").prefetch_related(Prefetch(
        "deadlines", to_attr="open_deadlines",
        queryset=Deadline.objects.unsettled().order_by("due_at")))
    incidents = selectors.visible_incidents(request.user, incidents)
    if filters.is_valid():
        state, severity, query = (filters.cleaned_data[name] for name in ("state", "severity", "q"))
        if state == "open":
            incidents = incidents.filter(state__in=OPEN_STATES)
        elif state:
            incidents = incidents.filter(state=state)
        if severity:
            incidents = incidents.filter(severity=severity)
        if query:
            incidents = selectors.search(incidents, query)
    page = BoundedPaginator(incidents, 50, request.GET.get("page")).page_asked()
    now = timezone.now()
    for incident in page:
        _mark_overdue(incident.open_deadlines, now)
    return render(request, "incidents/incident_list.html",
                  {"page": page, "filters": filters, "now": now})


@dataclass
class OfferedStep:
    """A verb the incident page offers: its button, and its form when it is shown open (a
    form sent back with errors, or the one form of a verb's own page)."""

    verb: verbs.Verb
    title: str
    form: VerbForm | None = None


def _offered_steps(incident, user, bound_form=None) -> list[OfferedStep]:
    return [OfferedStep(verb, verb.label_for(incident),
                        bound_form if bound_form is not None and bound_form.verb is verb
                        else None)
            for verb in verbs.page_actions(incident, user)]


def _detail_context(incident, user, bound_form=None):
    """The incident page: its record, and a button for each verb this user may perform now."""
    now = timezone.now()
    deadlines = _mark_overdue(list(incident.deadlines.select_related(
        "owed_by_unit", "owed_by_person", "escalation")), now)
    return {
        "incident": incident,
        "deadlines": deadlines,
        "escalations": Escalation.objects.filter(deadline__incident=incident)
        .select_related("deadline").prefetch_related("notices__recipients"),
        "timeline": incident.timeline.order_by("occurred_at", "id"),
        "metrics": incident.metrics.order_by("recorded_at"),
        "steps": _offered_steps(incident, user, bound_form),
        "now": now,
    }


def _incident_page_query(user):
    visible = selectors.visible_incidents(user)  # another unit's incident: 404
    # The policy reads the incident's deadlines for each verb it offers: fetched once here.
    return visible.select_related(
        "owner_unit", "accountable_leader", "plan", "discovered_by", "merged_into"
    ).prefetch_related("deadlines", "plan__rules")


@login_required
def incident_detail(request, pk):
    incident = get_object_or_404(_incident_page_query(request.user), pk=pk)
    return render(request, "incidents/incident_detail.html",
                  _detail_context(incident, request.user))


def _verb_or_404(slug: str) -> verbs.Verb:
    if slug not in verbs.BY_SLUG:
        raise Http404(slug)
    return verbs.BY_SLUG[slug]


def _offered_form(request, pk, slug) -> tuple[Incident, VerbForm]:
    """The verb's empty form, for a user who may perform it on the incident now: the checks of
    the action itself (incidents.verbs.may), so no role is handed a form it cannot use.
    404: no such verb, or an incident the user does not see; 403: not theirs to do; 409: not
    in the incident's present state (the page that offered it is out of date)."""
    verb = _verb_or_404(slug)
    incident = get_object_or_404(_incident_page_query(request.user), pk=pk)
    if verbs.may(request.user, verb, incident):
        return incident, form_for(verb, incident, initial={"revision": incident.revision})
    title = verb.label_for(incident)
    if not verbs.may_in_some_state(request.user, verb, incident):
        raise PermissionDenied(_("您无权办理“%s”") % title)
    raise StepNotOffered(_("事件已进入“%(state)s”，现在不能办理“%(step)s”，请刷新页面")
                         % {"state": incident.get_state_display(), "step": title})


class StepNotOffered(Exception):
    """A verb the user's role may perform, but not in the incident's present state."""


def _refused(request, error: StepNotOffered, template: str, incident_pk: int):
    return render(request, template, {"refusal": str(error), "incident_pk": incident_pk},
                  status=409)


def _render_offered_form(request, pk, verb, template: str, refused_template: str):
    try:
        incident, form = _offered_form(request, pk, verb)
    except StepNotOffered as error:
        return _refused(request, error, refused_template, pk)
    return render(request, template,
                  {"incident": incident, "step": OfferedStep(form.verb, form.title, form)})


@login_required
@require_GET
def incident_step_form(request, pk, verb):
    """One verb's form, as the fragment that htmx puts in place of the verb's button."""
    return _render_offered_form(request, pk, verb, "incidents/_step.html",
                                "incidents/_step_refused.html")


@login_required
def incident_step(request, pk, verb):
    """GET: the page of one verb's form (the button's link, for a browser without script);
    POST: perform it."""
    if request.method == "POST":
        return _perform_step(request, pk, verb)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _render_offered_form(request, pk, verb, "incidents/incident_step.html",
                                "incidents/incident_step_refused.html")


def _perform(request, form, call):
    """Run a form's action: (incident, 200), or (None, the 4xx status) with the action's refusal
    put on the form (bad fields) or shown as a message (state, role, stale version)."""
    try:
        return call(), 200
    except ActionError as error:
        if isinstance(error, InvalidInput):
            form.apply_action_error(error)
        else:
            messages.error(request, str(error))
        return None, action_error_status(error)


def _perform_step(request, pk, slug):
    verb = _verb_or_404(slug)
    incident = get_object_or_404(selectors.visible_incidents(request.user), pk=pk)
    if not selectors.may_act_on(request.user, incident):
        raise PermissionDenied(_("该事件不属于您的单位，您无权办理"))
    form = form_for(verb, incident, data=request.POST)
    status = 400
    if form.is_valid():
        done, status = _perform(request, form, lambda: form.perform(incident, request.user))
        if done is not None:
            messages.success(request, _("已完成：%s") % form.title)
            _say_if_the_rules_changed_the_severity(request, form, done)
            return redirect("incident-detail", pk=incident.pk)
    else:
        messages.error(request, _("“%s”未提交：请检查标红的字段") % form.title)
    incident = get_object_or_404(_incident_page_query(request.user), pk=pk)
    return render(request, "incidents/incident_detail.html",
                  _detail_context(incident, request.user, bound_form=form), status=status)


def _say_if_the_rules_changed_the_severity(request, form, incident) -> None:
    """A severity the person chose that the plan's rules raised is said, with the rule: the
    timeline keeps their note beside a different result, so the page must not stay silent."""
    chosen = form.cleaned_data.get("severity")
    if form.verb.name != "classify" or not chosen or chosen == incident.severity:
        return
    messages.warning(request, _("您选择的级别是“%(chosen)s”，按预案规则“%(rule)s”定为“%(result)s”")
                     % {"chosen": Severity(chosen).label, "rule": incident.severity_rule,
                        "result": incident.get_severity_display()})


@login_required
def incident_new(request):
    form = DetectForm(request.POST or None,
                      initial={"discovered_at": timezone.localtime().replace(second=0,
                                                                             microsecond=0)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            incident, status = _perform(request, form, lambda: form.perform(request.user))
            if incident is not None:
                messages.success(request, _("已登记舆情 #%s，报告时限已开始计算") % incident.pk)
                return redirect("incident-detail", pk=incident.pk)
    return render(request, "incidents/incident_new.html", {"form": form}, status=status)
