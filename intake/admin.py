"""Intake in the admin: sources with their last pushes and errors and a "send a sample" button;
the watch list and the duty roster edited here; leads and pushes read-only."""
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.client_address import client_address
from incidents.admin.permissions import ReadOnlyInlineMixin, RecordOnlyMixin

from .models import (
    DutyShift,
    IntakeSource,
    Lead,
    LeadEntry,
    Push,
    SourceKind,
    WatchRule,
)
from .receiving import receive_robot_push
from .samples import sample_request
from .scoping import visible_leads
from .sources import intake_url


@admin.register(IntakeSource)
class IntakeSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "active", "last_push", "sample_button"]
    list_filter = ["kind", "active", "unit"]
    fields = ["name", "kind", "unit", "secret", "active", "intake_address", "sample_button",
              "recent_pushes"]
    readonly_fields = ["intake_address", "sample_button", "recent_pushes"]
    RECENT = 20

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "kind"] if obj else self.readonly_fields

    @admin.display(description=gettext_lazy("最近推送（含被拒绝的）"))
    def recent_pushes(self, source):
        pushes = source.pushes.order_by("-received_at", "-id")[:self.RECENT] if source.pk else []
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td></tr>", (
            (timezone.localtime(p.received_at).strftime("%Y-%m-%d %H:%M:%S"),
             p.get_outcome_display(), p.error_code, p.error, p.leads_created)
            for p in pushes))
        return format_html("<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
                           _("接收时间"), _("结果"), _("错误"), _("新增线索"), rows) \
            if pushes else "—"

    @admin.display(description=gettext_lazy("接入地址"))
    def intake_address(self, source):
        return intake_url(source) if source.pk else "—"

    @admin.display(description=gettext_lazy("最近推送"))
    def last_push(self, source):
        push = source.pushes.order_by("-received_at").first()
        return f"{push.received_at:%Y-%m-%d %H:%M} {push.get_outcome_display()}" if push else "—"

    @admin.display(description=gettext_lazy("测试"))
    def sample_button(self, source):
        """A POST, never a link: it stores a push and a lead. The button submits the page's own
        form (the change list's or the change form's, which carry the CSRF token) to the sample
        URL instead of the form's action, so no form is nested in another."""
        if not source.pk or source.kind == SourceKind.API:
            return "—"
        return format_html(
            '<button type="submit" class="button" formmethod="post" formaction="{}" '
            'formnovalidate name="_send_sample">{}</button>',
            reverse("admin:intake_intakesource_sample", args=[source.pk]), _("发送示例"))

    def get_urls(self):
        return [path("<int:pk>/sample/", self.admin_site.admin_view(self.send_sample),
                     name="intake_intakesource_sample")] + super().get_urls()

    def send_sample(self, request, pk):
        """Push a sample through the same receiving path a monitoring tool's push takes."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        source = get_object_or_404(IntakeSource, pk=pk)
        if not self.has_change_permission(request, source) or source.kind == SourceKind.API:
            messages.error(request, _("无权发送示例"))
        else:
            reply = receive_robot_push(source.kind, sample_request(source),
                                       remote_addr=client_address(request))
            level = messages.SUCCESS if reply.ingested else messages.ERROR
            messages.add_message(request, level, _("示例推送的应答：%s") % reply.body)
        return redirect("admin:intake_intakesource_change", pk)


class LeadEntryInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = LeadEntry
    fields = ["recorded_at", "event", "actor_name", "clause", "note"]
    readonly_fields = fields


@admin.register(Lead)
class LeadAdmin(RecordOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "title", "source", "unit", "assignee", "state", "incident"]
    list_filter = ["state", "source", "unit"]
    search_fields = ["title", "url", "excerpt"]
    date_hierarchy = "received_at"
    inlines = [LeadEntryInline]

    def get_queryset(self, request):
        return visible_leads(request.user, super().get_queryset(request))


@admin.register(Push)
class PushAdmin(RecordOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "source", "kind", "outcome", "error_code", "leads_created"]
    list_filter = ["outcome", "kind", "source"]


@admin.register(WatchRule)
class WatchRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "priority", "sensitive_topic", "opens_incident", "active"]
    list_filter = ["unit", "active"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["unit", "person", "starts_at", "ends_at"]
    list_filter = ["unit"]
    date_hierarchy = "starts_at"
