"""Admin: configure channels (validated by the channel classes), send a test message through
them, and read the delivery log."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incidents.admin.permissions import RecordOnlyMixin

from .channels.base import TransportError, truncate
from .channels.registry import build_channel
from .forms import ChannelConfigForm, PersonChannelForm
from .models import (AckToken, ChannelConfig, Delivery, InboxItem, Notification, NotifyRule,
                     PersonChannel)


TEST_ANSWER_CHARS = 300


def send_test(source, recipient: str | None) -> str:
    """Send the `send_test_message` command's test message through a configured channel."""
    from notifications.management.commands.send_test_message import test_message

    channel = build_channel(source.kind, source.effective_config)
    result = channel.send(test_message(), recipient, f"admin-test-{source._meta.model_name}"
                                                     f"-{source.pk}")
    # Redacted and cut short: a provider's page (or an internal one) is not shown whole.
    body = truncate(result.response, TEST_ANSWER_CHARS)
    return f"HTTP {result.status} · {body}" if result.status else body


class SendTestMessageMixin:
    @admin.action(description=_("发送测试消息"))
    def send_test_message(self, request, queryset):
        for source in queryset:
            recipient = source.recipient() if isinstance(source, PersonChannel) else None
            try:
                answer = send_test(source, recipient)
            except (ValidationError, TransportError) as exc:
                text = ("; ".join(exc.messages) if isinstance(exc, ValidationError)
                        else truncate(str(exc), TEST_ANSWER_CHARS))
                self.message_user(request, _("%(source)s：发送失败：%(error)s") % {
                    "source": source, "error": text}, messages.ERROR)
            else:
                self.message_user(request, _("%(source)s：已发送，服务商应答：%(answer)s") % {
                    "source": source, "answer": answer}, messages.SUCCESS)


@admin.register(ChannelConfig)
class ChannelConfigAdmin(SendTestMessageMixin, admin.ModelAdmin):
    form = ChannelConfigForm
    list_display = ["name", "kind", "unit", "enabled", "last_error"]
    list_filter = ["kind", "enabled", "unit"]
    actions = ["send_test_message"]
    readonly_fields = ["last_error"]


@admin.register(PersonChannel)
class PersonChannelAdmin(SendTestMessageMixin, admin.ModelAdmin):
    form = PersonChannelForm
    list_display = ["person", "kind", "address", "priority", "fallback", "enabled", "last_error"]
    list_filter = ["kind", "enabled", "fallback"]
    search_fields = ["person__name", "address"]
    actions = ["send_test_message"]
    readonly_fields = ["last_error"]


@admin.register(NotifyRule)
class NotifyRuleAdmin(admin.ModelAdmin):
    list_display = ["event", "plan", "clause", "enabled", "note"]
    list_filter = ["event", "enabled"]
    filter_horizontal = ["units"]


class ReadOnlyAdmin(RecordOnlyMixin, admin.ModelAdmin):
    """Records written by the application only (deliveries, briefings)."""


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "notification", "channel_kind", "recipient_label", "status",
                    "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "channel_kind"]
    search_fields = ["recipient_label", "idempotency_key", "notification__title"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "title", "reason", "level", "clause"]
    list_filter = ["reason"]


@admin.register(InboxItem)
class InboxItemAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "person", "title", "read_at"]


@admin.register(AckToken)
class AckTokenAdmin(ReadOnlyAdmin):
    list_display = ["notification", "person", "created_at", "expires_at", "used_at", "used_by"]
