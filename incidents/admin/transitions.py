"""Admin actions that move incidents through the plan, generated from the verb registry.

Each verb of incidents.verbs is one changelist action, with the verb's generated form. Every verb needs input (recipient, category, findings…), so
the action first shows an intermediate form page; its POST comes back to the same action with
`apply` set, and the form's `perform` calls the action for each selected incident. An action's
refusal (an ActionError) becomes an admin message for that incident, never a server error.
"""
import functools

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from opinion_ops.errors import ActionError, InvalidInput
from incidents import verbs
from incidents.verb_forms import VerbForm, form_class


def _run(modeladmin, request, queryset, form: VerbForm) -> int:
    done = 0
    for incident in queryset:
        try:
            form.perform(incident, request.user)
        except InvalidInput as error:
            messages_text = "；".join(f"{form.fields[f].label if f in form.fields else f}：{m}"
                                     for f, m in error.errors.items())
            modeladmin.message_user(request, f"#{incident.pk} {incident.title}：{messages_text}",
                                    messages.ERROR)
        except ActionError as error:
            modeladmin.message_user(request, f"#{incident.pk} {incident.title}：{error}",
                                    messages.ERROR)
        else:
            done += 1
    return done


@functools.cache
def admin_action(verb: verbs.Verb):
    """The changelist action of one verb, with the verb's generated form."""
    verb_form = form_class(verb)

    def action(modeladmin, request, queryset):
        form = verb_form(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = _run(modeladmin, request, queryset, form)
            if done:
                modeladmin.message_user(
                    request, _("“%(step)s”已完成：%(n)s 件") % {"step": form.title, "n": done},
                    messages.SUCCESS)
            if request.POST.get("_return_to") == "change" and len(queryset) == 1:
                return redirect(reverse("admin:incidents_incident_change",
                                        args=[queryset[0].pk]))
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": form.title,
            "opts": modeladmin.model._meta,
            "form": form,
            "incidents": queryset,
            "action_name": action.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "return_to": request.POST.get("_return_to", ""),
        }
        return TemplateResponse(request, "admin/incidents/transition_form.html", context)

    action.__name__ = f"step_{verb.slug}"
    return admin.action(description=verb.label)(action)
