"""Referral slips in the admin: a record to read. Every change goes through referrals.actions
(the API and the incident page), so the admin offers no add, change or delete."""
from django.contrib import admin

from incidents.admin.permissions import ReadOnlyInlineMixin, ViewOnlyAdminMixin

from .models import Referral, ReferralExtension, ReferralReply, Supervision
from .selectors import visible_referrals


class ReplyInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ReferralReply
    fields = ["submitted_at", "submitted_by", "body", "state", "reviewed_by", "reviewed_at",
              "review_comment"]
    readonly_fields = fields


class ExtensionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ReferralExtension
    fields = ["recorded_at", "requested_by", "previous_due_at", "until", "reason"]
    readonly_fields = fields


class SupervisionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Supervision
    fields = ["supervised_at", "supervised_by", "channel", "note", "deadline"]
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "incident", "lead_unit", "urgent", "state", "issued_at",
                    "due_at", "limit_at", "approved_at"]
    list_filter = ["state", "urgent", "lead_unit"]
    search_fields = ["incident__title", "instruction"]
    readonly_fields = ["incident", "number", "lead_unit", "co_units", "instruction", "urgent",
                       "state", "issued_at", "issued_by", "reply_deadline", "due_at",
                       "limit_at", "supervision_deadline", "approved_at"]
    inlines = [ReplyInline, ExtensionInline, SupervisionInline]

    def get_queryset(self, request):
        return visible_referrals(request.user, super().get_queryset(request))
