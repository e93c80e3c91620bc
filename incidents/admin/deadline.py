"""The record in the admin: timeline, deadlines and escalations, all view-only lists."""
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy

from incidents.models import (Deadline, DeadlineChange, Escalation, EscalationChange,
                              EscalationNotice, MetricSnapshot, TimelineEntry)

from .permissions import ReadOnlyInlineMixin, ViewOnlyAdminMixin


def incident_link(incident):
    return format_html('<a href="{}">#{} {}</a>',
                       reverse("admin:incidents_incident_change", args=[incident.pk]),
                       incident.pk, incident.title)


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["recorded_at", "occurred_at", "incident_display", "event", "actor_name",
                    "channel", "recipient", "clause"]
    list_filter = ["event", "channel", "clause"]
    search_fields = ["incident__title", "actor_name", "recipient", "note"]
    date_hierarchy = "recorded_at"
    list_select_related = ["incident"]
    ordering = ["-recorded_at", "-id"]

    @admin.display(description=gettext_lazy("舆情事件"), ordering="incident")
    def incident_display(self, entry):
        return incident_link(entry.incident)


class DeadlineOverdueFilter(admin.SimpleListFilter):
    """The readings of DeadlineQuerySet, the same the API's `?overdue=` uses."""

    title = gettext_lazy("是否超时")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已超时未履行")), ("late", _("逾期履行")),
                ("recorded_late", _("补录履行")), ("no", _("未超时"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.overdue(now)
        if self.value() == "late":
            return queryset.late().filter(met_at__isnull=False)
        if self.value() == "recorded_late":
            return queryset.recorded_late()
        if self.value() == "no":
            return queryset.in_time(now)
        return queryset


class DeadlineChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = DeadlineChange
    verbose_name_plural = gettext_lazy("变更记录（不可更改，C24）")
    fields = ["recorded_at", "kind", "state", "stated_at", "actor", "note"]
    readonly_fields = fields


@admin.register(Deadline)
class DeadlineAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["incident_display", "kind", "sequence", "clause", "owed_by_unit", "due_at",
                    "state", "breached_at", "met_at", "met_recorded_at", "minutes_late_display",
                    "is_overdue", "recorded_late"]
    list_filter = ["kind", "state", DeadlineOverdueFilter, "clause", "owed_by_unit"]
    search_fields = ["incident__title"]
    list_select_related = ["incident", "owed_by_unit"]
    date_hierarchy = "due_at"
    exclude = ["fence"]
    inlines = [DeadlineChangeInline]

    @admin.display(description=gettext_lazy("舆情事件"), ordering="incident")
    def incident_display(self, deadline):
        return incident_link(deadline.incident)

    @admin.display(description=gettext_lazy("迟（分钟）"))
    def minutes_late_display(self, deadline):
        return deadline.minutes_late if deadline.minutes_late is not None else "—"

    # Not boolean=True: the admin draws True as a green tick, which read as "fine" on exactly
    # the rows that are overdue. Overdue is red words; anything else a dash.
    @admin.display(description=gettext_lazy("超时未履行"))
    def is_overdue(self, deadline):
        if not deadline.is_overdue(timezone.now()):
            return "—"
        return format_html('<span class="overdue-mark" style="color:#c81e1e;font-weight:600">{}'
                           '</span>', _("已超时"))

    @admin.display(description=gettext_lazy("补录"), boolean=True)
    def recorded_late(self, deadline):
        return deadline.recorded_late


class EscalationNoticeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = EscalationNotice
    fields = ["level", "audience", "recipient_names", "created_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("接收人"))
    def recipient_names(self, notice):
        return "、".join(person.name for person in notice.recipients.all()) or "—"


class EscalationChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = EscalationChange
    verbose_name_plural = gettext_lazy("变更记录（不可更改，C24）")
    fields = ["recorded_at", "state", "level", "actor", "note"]
    readonly_fields = fields


@admin.register(Escalation)
class EscalationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["incident_display", "deadline_kind", "started_at", "level", "state",
                    "next_level_at", "acknowledged_at"]
    list_filter = ["state", "deadline__kind"]
    search_fields = ["deadline__incident__title"]
    list_select_related = ["deadline__incident"]
    inlines = [EscalationNoticeInline, EscalationChangeInline]

    @admin.display(description=gettext_lazy("舆情事件"))
    def incident_display(self, escalation):
        return incident_link(escalation.deadline.incident)

    @admin.display(description=gettext_lazy("时限类型"), ordering="deadline__kind")
    def deadline_kind(self, escalation):
        return escalation.deadline.get_kind_display()


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "recorded_at", "clicks", "comments", "mainstream_sites",
                    "sensitive_topic", "stage"]
    list_filter = ["stage", "sensitive_topic"]
    search_fields = ["incident__title"]
