"""Briefings in the admin: generated documents are read-only rows with a download link;
templates (letterhead, recipients, signer) are what an office edits."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.admin.permissions import RecordOnlyMixin

from .models import Briefing, BriefingTemplate, DocumentSequence


class ReadOnlyAdmin(RecordOnlyMixin, admin.ModelAdmin):
    """Records written by the application only (deliveries, briefings)."""


@admin.register(Briefing)
class BriefingAdmin(ReadOnlyAdmin):
    list_display = ["kind", "document_number", "incident_display", "period_display", "pages",
                    "status", "sha256_short", "created_at", "filed_at", "download"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["document_number", "title", "incident__title", "sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["incident"]

    @admin.display(description=_("舆情事件"), ordering="incident")
    def incident_display(self, briefing):
        if briefing.incident_id is None:
            return "—"
        return format_html('<a href="{}">#{} {}</a>',
                           reverse("admin:incidents_incident_change", args=[briefing.incident_id]),
                           briefing.incident_id, briefing.incident.title[:40])

    @admin.display(description=_("统计期间"))
    def period_display(self, briefing):
        if briefing.period_from is None:
            return "—"
        return f"{briefing.period_from:%Y-%m-%d} — {briefing.period_to:%Y-%m-%d}"

    @admin.display(description=_("SHA-256"))
    def sha256_short(self, briefing):
        return briefing.sha256[:12] if briefing.sha256 else "—"

    @admin.display(description=_("下载"))
    def download(self, briefing):
        if not briefing.is_ready:
            return briefing.error[:80] if briefing.error else "—"
        return format_html('<a href="{}">PDF</a>', reverse("briefing-download", args=[briefing.pk]))


@admin.register(BriefingTemplate)
class BriefingTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "issuer", "short_code", "signer", "language"]
    fieldsets = [
        (_("版头"), {"fields": ["name", "is_default", "issuer", "show_suffix", "red_colour",
                              "short_code", "signer", "language"]}),
        (_("主送、抄送与印发"), {"fields": ["default_recipients", "bulletin_recipients",
                                      "copies_to", "printing_unit"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # A template that numbered documents stays, so their rows keep saying who issued them.
        return obj is None or not obj.briefings.exists()


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyAdmin):
    list_display = ["body_code", "year", "last_number"]
