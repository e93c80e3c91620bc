from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import tokens
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """The office sees every token by name and last four characters, never a key, and can
    revoke; tokens are issued by their owners (the token page) or the command."""

    list_display = ("name", "user", "last4", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username")
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke_selected(self, request, queryset):
        count = sum(tokens.revoke(t, f"revoked by {request.user.username}") for t in queryset)
        self.message_user(request, _("已吊销 %d 个令牌") % count, messages.SUCCESS)
