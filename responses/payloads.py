"""What the response verbs accept (validated before any action runs; 400 names the field)."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.api.payloads import AwareDateTimeField, StepPayload
from incidents.models import Channel
from organisation.models import Person, Unit
from plans.choices import ResponseKind

from .models import Meeting, Statement


class DraftPayload(StepPayload):
    kind = serializers.ChoiceField(choices=ResponseKind.choices,
                                   help_text="reply, unified_reply, press_release, statement, "
                                             "post or talking_points.")
    body = serializers.CharField(help_text="The draft's text (for a press release, with its "
                                           "agreed wording, 口径).")
    statement = serializers.PrimaryKeyRelatedField(
        queryset=Statement.objects.all(), required=False, allow_null=True, default=None,
        help_text="The library wording (口径库) the draft starts from.")


class RevisePayload(serializers.Serializer):
    body = serializers.CharField(help_text="The new version's text; approvals start over.")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2 ** 31 - 1,
                                       allow_null=True, default=None,
                                       help_text='The version revised (or If-Match: "<n>"); '
                                                 "409 when a newer one exists.")


class DecisionPayload(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True,
                                       default=None,
                                       help_text="The version decided on; refused (409) when "
                                                 "a newer one exists.")


class RejectPayload(DecisionPayload):
    comment = serializers.CharField(help_text="Why the version is sent back.")


class PublishPayload(serializers.Serializer):
    where = serializers.CharField(max_length=200, help_text="Site or account (平台/账号).")
    url = serializers.URLField(max_length=1000, help_text="The link to what was published.")
    version = serializers.IntegerField(required=False, min_value=1, allow_null=True,
                                       default=None)


class PersonPayload(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())


class SpokespersonPayload(StepPayload):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), label=_("新闻发言人"),
        help_text="The one spokesperson of the incident (C17).")
    members = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False, default=list,
        label=_("新闻发布组其他成员"),
        help_text="Members of the press group besides the spokesperson.")


class LeadershipReportPayload(StepPayload):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WRITTEN)
    recipient = serializers.CharField(max_length=200, label=_("报告对象"),
                                      help_text="Who in the leadership group was told.")
    note = serializers.CharField(label=_("报告内容"), help_text="What the report said.")


class InvestigationOrderPayload(StepPayload):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, default=None,
        label=_("涉事单位"),
        help_text="The involved unit ordered to investigate (default: the owner unit).")
    note = serializers.CharField(label=_("调查事项"), help_text="What the unit is to establish.")


class BulletinPayload(StepPayload):
    note = serializers.CharField(help_text="What the bulletin (网络舆情通报) said.")


class StatementPayload(serializers.Serializer):
    topic = serializers.CharField(max_length=200)


class TaskPayload(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False,
                                               allow_null=True, default=None)
    due_at = AwareDateTimeField()


class MeetingPayload(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    held_at = AwareDateTimeField()
    late_reason = serializers.CharField(required=False, allow_blank=True, default="")
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False,
                                                   allow_null=True, default=None)
    attendees = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True)
    agenda = serializers.CharField()
    decisions = serializers.CharField()
    agreed_wording = serializers.CharField(required=False, allow_blank=True, default="")
    release_approver = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, default=None)
    tasks = TaskPayload(many=True, required=False, default=list)


class MinutesPayload(serializers.Serializer):
    minutes = serializers.FileField(help_text="PDF, Word, plain text or an image; size-limited.")


class TaskDonePayload(StepPayload):
    outcome = serializers.CharField()
