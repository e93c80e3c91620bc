"""Incidents in the admin: list, search and a read-only record with transitions as actions."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _, gettext_lazy

from opinion_ops.errors import ActionError, InvalidInput
from incidents import verbs as verb_registry
from incidents.forms import DetectForm
from incidents.models import (Deadline, Escalation, Incident, MetricSnapshot, TimelineEntry)

from .permissions import ReadOnlyInlineMixin, works_on_incidents
from .transitions import admin_action


class TimelineEntryInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = TimelineEntry
    verbose_name_plural = gettext_lazy("时间线（不可更改，C24）")
    fields = ["occurred_at", "event", "actor_name", "channel", "recipient", "clause", "note",
              "recorded_at"]
    readonly_fields = fields
    ordering = ["occurred_at", "id"]


class DeadlineInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Deadline
    verbose_name_plural = gettext_lazy("时限")
    fields = ["kind", "sequence", "clause", "owed_by_unit", "opened_at", "due_at", "state",
              "breached_at", "met_at", "met_recorded_at", "minutes_late_display",
              "recorded_late_display"]
    readonly_fields = fields
    ordering = ["due_at", "id"]

    @admin.display(description=gettext_lazy("迟（分钟）"))
    def minutes_late_display(self, deadline):
        return deadline.minutes_late if deadline.minutes_late is not None else "—"

    @admin.display(description=gettext_lazy("补录"), boolean=True)
    def recorded_late_display(self, deadline):
        return deadline.recorded_late


class MetricSnapshotInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = MetricSnapshot
    verbose_name_plural = gettext_lazy("传播数据（C07）")
    fields = ["recorded_at", "clicks", "comments", "follow_up_posts", "mainstream_sites",
              "sensitive_topic", "stage", "cause", "attention"]
    readonly_fields = fields


class OverdueFilter(admin.SimpleListFilter):
    """Incidents by their deadlines, read as DeadlineQuerySet defines overdue and late."""

    title = gettext_lazy("时限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("有超时未履行的时限")), ("late", _("有迟报或漏报的时限")),
                ("pending", _("有待履行的时限"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            deadlines = Deadline.objects.overdue(timezone.now())
        elif self.value() == "late":
            deadlines = Deadline.objects.late()
        elif self.value() == "pending":
            deadlines = Deadline.objects.filter(state=Deadline.State.PENDING)
        else:
            return queryset
        return queryset.filter(pk__in=deadlines.values("incident_id"))


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "state", "severity", "urgent", "owner_unit", "discovered_at",
                    "overdue_deadlines"]
    list_display_links = ["id", "title"]
    list_filter = ["state", "severity", "category", "urgent", "owner_unit", OverdueFilter]
    search_fields = ["title", "summary", "platform", "source_url"]
    date_hierarchy = "discovered_at"
    list_select_related = ["owner_unit"]
    inlines = [DeadlineInline, MetricSnapshotInline, TimelineEntryInline]
    change_form_template = "admin/incidents/incident/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "summary", "source_url", "source_links", "platform",
                           "discovered_at", "discovered_by", "urgent"]}),
        (gettext_lazy("状态与研判"), {"fields": ["state", "category", "severity",
                                              "severity_rule", "stage", "merged_into"]}),
        (gettext_lazy("责任（C23）"), {"fields": ["owner_unit", "accountable_leader", "plan"]}),
        (gettext_lazy("报告与处置"), {"fields": ["reported_at", "verbal_reported_at",
                                              "subsided_at", "revision", "created_at",
                                              "updated_at"]}),
        (gettext_lazy("超时升级"), {"fields": ["escalations"]}),
    ]

    # An incident is changed only through the actions: the change page is a read-only view
    # (state is an FSMField(protected=True)), and its buttons lead to the transition actions.
    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or works_on_incidents(request.user)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or works_on_incidents(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return request.user.has_perm("incidents.detect_incident")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        """One admin action per verb of the registry the user's role holds (built per request,
        so verbs that capability apps register at start-up are there too)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        for verb in verb_registry.REGISTRY.values():
            if request.user.has_perm(f"incidents.{verb.permission}"):
                action = admin_action(verb)
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    @admin.display(description=gettext_lazy("超时未履行"))
    def overdue_deadlines(self, incident):
        now = timezone.now()
        late = [d for d in incident.deadlines.all() if d.is_overdue(now)]
        if not late:
            return "—"
        return format_html('<span style="color:#c81e1e;font-weight:600">{}</span>',
                           "、".join(d.get_kind_display() for d in late))

    @admin.display(description=gettext_lazy("超时升级"))
    def escalations(self, incident):
        rows = Escalation.objects.filter(deadline__incident=incident).select_related("deadline")
        if not rows:
            return "—"
        return format_html("<ul style='margin:0;padding-left:1.2em'>{}</ul>", format_html_join(
            "", "<li>{}（{}）：L{} · {} · {}</li>",
            ((e.deadline.get_kind_display(), e.deadline.clause, e.level, e.get_state_display(),
              timezone.localtime(e.started_at).strftime("%Y-%m-%d %H:%M")) for e in rows)))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deadlines")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        incident = self.get_object(request, object_id)
        buttons = []
        if incident is not None:
            buttons = [(f"step_{verb.slug}", verb.label_for(incident))
                       for verb in verb_registry.next_actions(incident, request.user)]
        extra_context = {**(extra_context or {}), "transition_buttons": buttons,
                         "changelist_url": reverse("admin:incidents_incident_changelist"),
                         "page_url": reverse("incident-detail", args=[object_id])
                         if incident is not None else ""}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """A new incident is logged through actions.detect_incident, which opens its deadlines."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DetectForm(request.POST or None, initial={
            "discovered_at": timezone.localtime().replace(second=0, microsecond=0)})
        if request.method == "POST" and form.is_valid():
            try:
                incident = form.perform(request.user)
            except InvalidInput as error:
                form.apply_action_error(error)
            except ActionError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("已登记舆情 #%s，报告时限已开始计算") % incident.pk,
                                  messages.SUCCESS)
                return redirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
        context = {**self.admin_site.each_context(request), "title": _("登记发现的舆情"),
                   "opts": self.model._meta, "form": form, "incidents": [],
                   "action_name": "", "return_to": ""}
        return TemplateResponse(request, "admin/incidents/transition_form.html", context,
                                status=400 if form.is_bound and form.errors else 200)
