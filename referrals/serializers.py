"""How a referral slip reads in the API (`GET /api/v1/referrals/{id}/`)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents.api.serializers import UnitRefSerializer

from organisation.actors import actor_name

from .models import Referral, ReferralExtension, ReferralReply, Supervision


@extend_schema_field({"type": "string", "nullable": True})
class PersonName(serializers.Field):
    """The name of the user who acted (their Person's name), or null for the system."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user):
        return actor_name(user)


class ReplySerializer(serializers.ModelSerializer):
    submitted_by = PersonName()
    reviewed_by = PersonName()

    class Meta:
        model = ReferralReply
        fields = ["id", "body", "state", "submitted_by", "submitted_at", "reviewed_by",
                  "reviewed_at", "review_comment"]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = PersonName()

    class Meta:
        model = ReferralExtension
        fields = ["id", "previous_due_at", "until", "reason", "requested_by", "recorded_at"]


class SupervisionSerializer(serializers.ModelSerializer):
    supervised_by = PersonName()

    class Meta:
        model = Supervision
        fields = ["id", "supervised_at", "supervised_by", "channel", "note", "deadline"]


class ReferralSerializer(serializers.ModelSerializer):
    lead_unit = UnitRefSerializer(read_only=True)
    co_units = UnitRefSerializer(many=True, read_only=True)
    issued_by = PersonName()
    replies = ReplySerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    supervisions = SupervisionSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    under_supervision = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "incident", "number", "state", "urgent", "instruction", "lead_unit",
                  "co_units", "issued_at", "issued_by", "due_at", "limit_at", "approved_at",
                  "reply_deadline", "supervision_deadline", "overdue", "under_supervision",
                  "replies", "extensions", "supervisions"]

    def get_overdue(self, slip) -> bool:
        owed = slip.reply_deadline
        return bool(slip.state in Referral.AWAITING_UNIT and owed is not None
                    and owed.is_overdue(self.context.get("now")))

    def get_under_supervision(self, slip) -> bool:
        owed = slip.supervision_deadline
        return bool(slip.is_open and owed is not None and owed.is_unsettled)
