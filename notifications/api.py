"""The API of deliveries (the log, read-only) and of the user's own inbox."""
import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from opinion_ops.api import APIViewSet

from . import delivery_log, inbox
from .models import ChannelKind, Delivery, InboxItem


class DeliverySerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="notification.incident_id", read_only=True)
    notification_title = serializers.CharField(source="notification.title", read_only=True)
    reason = serializers.CharField(source="notification.reason", read_only=True)
    level = serializers.IntegerField(source="notification.level", read_only=True)
    escalation = serializers.IntegerField(source="notification.escalation_id", read_only=True)
    recipient = serializers.IntegerField(source="person_id", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "incident", "notification", "notification_title", "reason", "level",
                  "escalation", "recipient", "unit", "recipient_label", "channel_kind", "status",
                  "attempts", "next_attempt_at", "last_error", "provider_response", "provider_id",
                  "note", "idempotency_key", "created_at", "sent_at", "updated_at"]
        read_only_fields = fields

    def to_representation(self, delivery):
        """Addresses for the office only (notifications.delivery_log)."""
        data = super().to_representation(delivery)
        shown = delivery_log.shown_to(self.context["request"].user, delivery)
        data.update(recipient_label=shown.recipient, last_error=shown.last_error,
                    provider_response=shown.provider_response)
        return data


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices)
    channel_kind = django_filters.ChoiceFilter(choices=ChannelKind.choices)
    incident = django_filters.NumberFilter(field_name="notification__incident_id")
    recipient = django_filters.NumberFilter(field_name="person_id")
    escalation = django_filters.NumberFilter(field_name="notification__escalation_id")

    class Meta:
        model = Delivery
        fields = ["status", "channel_kind", "incident", "recipient", "escalation"]


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    """Every copy of every notification about an incident the user may see, with its status,
    attempts and provider answer; other incidents' copies are not found (404)."""

    # The API's own order (token first), so a request without credentials is told 401.
    authentication_classes = APIViewSet.authentication_classes

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        return delivery_log.visible_deliveries(self.request.user)


class InboxItemSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="notification.incident_id", read_only=True)
    escalation = serializers.IntegerField(source="notification.escalation_id", read_only=True)
    can_acknowledge = serializers.SerializerMethodField()
    acknowledged_at = serializers.DateTimeField(source="notification.escalation.acknowledged_at",
                                                read_only=True, default=None)

    class Meta:
        model = InboxItem
        fields = ["id", "title", "text", "action_url", "incident", "escalation", "created_at",
                  "read_at", "can_acknowledge", "acknowledged_at"]
        read_only_fields = fields

    def get_can_acknowledge(self, item) -> bool:
        return inbox.can_acknowledge(item)


class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The requesting user's in-app messages; another person's are not found (404)."""

    authentication_classes = APIViewSet.authentication_classes

    serializer_class = InboxItemSerializer

    def get_queryset(self):
        return inbox.items_for(self.request.user)

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        item = self.get_object()
        inbox.mark_read(item)
        item.refresh_from_db()
        return Response(self.get_serializer(item).data)

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """C13: acknowledge the escalation this message is about; the ladder stops."""
        item = self.get_object()
        if not inbox.acknowledge_item(item, request.user):
            return Response({"detail": _("该升级已确认或已结束，无需再次确认。")},
                            status=status.HTTP_409_CONFLICT)
        item = self.get_queryset().get(pk=item.pk)
        return Response(self.get_serializer(item).data)
