"""What the referral verbs accept (validated before any action runs; 400 names the field)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.api.payloads import AwareDateTimeField, StepPayload
from incidents.models import Channel
from organisation.models import Unit


class ReferPayload(StepPayload):
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text="The unit that handles and replies (牵头单位).")
    co_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False, default=list,
        help_text="Units that assist (协办单位); they see the slip.")
    instruction = serializers.CharField(help_text="The leader's instruction (批办意见).")
    urgent = serializers.BooleanField(required=False, default=False,
                                      help_text="An urgent slip is answered within the plan's "
                                                "urgent window (2 working days shipped).")

    def validate(self, attrs):
        if attrs["lead_unit"] in attrs.get("co_units", []):
            raise serializers.ValidationError({"co_units": [_("牵头单位不能同时是协办单位")]})
        return attrs


class ReplyPayload(serializers.Serializer):
    body = serializers.CharField(label=_("答复内容"), help_text="The lead unit's written reply.")
    occurred_at = AwareDateTimeField(required=False)
    late_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendPayload(serializers.Serializer):
    until = AwareDateTimeField(label=_("延至"), help_text="The new due time (ISO 8601 with offset); never past "
                                         "the plan's limit after the post.")
    reason = serializers.CharField(label=_("延期理由"))


class ReviewPayload(serializers.Serializer):
    comment = serializers.CharField(label=_("审定意见"), required=False, allow_blank=True,
                                    default="")


class ReturnPayload(serializers.Serializer):
    comment = serializers.CharField(label=_("退回意见"),
                                    help_text="What the lead unit must put right.")


class SupervisePayload(serializers.Serializer):
    channel = serializers.ChoiceField(label=_("督办方式"), choices=Channel.choices)
    note = serializers.CharField(label=_("督办情况及承诺"), help_text="What was said and what the unit promised.")
    occurred_at = AwareDateTimeField(required=False)
    late_reason = serializers.CharField(required=False, allow_blank=True, default="")
