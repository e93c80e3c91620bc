"""What each verb of the API accepts: validation of the request body, before any action runs.

A payload that fails here is answered 400 with every bad field listed; the action itself checks
again (state, role, times against the locked row) inside its transaction.
"""
from collections.abc import Mapping

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from opinion_ops.inputs import moment_out_of_reach

from incidents.classification import Heat
from incidents.models import Category, Channel, Incident, Severity, Stage
from opinion_ops.inputs import INT_MAX, RecordField
from organisation.models import Person, Unit
from plans.models import ResponsePlan


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset: a naive time would be guessed in some zone, and a wrong guess
    moves a deadline by hours (C01, C21)."""

    default_error_messages = {
        "naive": _("时间必须包含时区偏移（ISO 8601，例如 2026-11-23T10:00:00+08:00）"),
    }

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else value
        except ValueError:  # well-formed but impossible: 12:99, 30 February
            self.fail("invalid", format="ISO 8601")
        if hasattr(parsed, "tzinfo") and timezone.is_naive(parsed):
            self.fail("naive")
        if moment_out_of_reach(parsed):
            self.fail("invalid", format="ISO 8601")
        return super().to_internal_value(value)


class RequiresOneOf(serializers.Serializer):
    """A rule across fields, reported together with the per-field errors (DRF's validate()
    runs only once every field is valid, so a client would learn its mistakes one by one)."""

    def missing_together(self, data) -> dict:
        return {}

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        try:
            attrs, errors = super().to_internal_value(data), {}
        except serializers.ValidationError as exc:
            attrs, errors = None, dict(exc.detail)
        for field, message in self.missing_together(data).items():
            errors.setdefault(field, [message])
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IncidentCreatePayload(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField()
    source_url = serializers.URLField(max_length=1000)
    platform = serializers.CharField(max_length=60)
    discovered_at = AwareDateTimeField()
    urgent = serializers.BooleanField()
    owner_unit = RecordField(queryset=Unit.objects.all(), required=False)
    accountable_leader = RecordField(queryset=Person.objects.all(),
                                                            required=False)
    plan = RecordField(
        queryset=ResponsePlan.objects.current(), required=False,
        help_text="A current (published, not superseded) plan version; default: the default plan.")
    source_links = serializers.ListField(child=serializers.URLField(max_length=1000),
                                         required=False, default=list)
    related_units = RecordField(
        queryset=Unit.objects.all(), many=True, required=False, default=list,
        help_text="C01: the departments told at the same time as the office when it is reported.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RevisionPayload(serializers.Serializer):
    expected_revision = serializers.IntegerField(
        required=False, min_value=1, max_value=INT_MAX,
        help_text='The revision the caller acted on; also accepted as an If-Match: "<revision>" '
                  "header. A different current revision is answered 409.")


class StepPayload(RevisionPayload):
    """What the actor states about a step (incidents.actions.Step)."""

    note = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(
        required=False, help_text="When the step happened (defaults to now); never in the "
                                  "future, never before discovery.")
    late_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Required when occurred_at is more than the plan's tolerance (default 15 "
                  "min) before now: why the step is recorded late (补录).")

    def step_fields(self) -> dict:
        data = self.validated_data
        return {"channel": data.get("channel", Channel.SYSTEM),
                "recipient": data.get("recipient", ""), "note": data.get("note", ""),
                "occurred_at": data.get("occurred_at")}


class ReportPayload(StepPayload):
    channel = serializers.ChoiceField(choices=Channel.choices)
    recipient = serializers.CharField(max_length=200)


# A figure beyond these is a typing error (the action checks the same limits).
FIGURE_MAX = 2_000_000_000
SITES_MAX = 100_000


def topics_field(**kwargs):
    return serializers.ListField(
        child=serializers.SlugField(max_length=40), required=False, default=list,
        help_text="Codes of the plan's sensitive topics (C08), e.g. [\"food\", \"safety\"].",
        **kwargs)


class ClassifyPayload(RequiresOneOf, StepPayload):
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    clicks = serializers.IntegerField(min_value=0, max_value=FIGURE_MAX, required=False)
    comments = serializers.IntegerField(min_value=0, max_value=FIGURE_MAX, required=False)
    mainstream_sites = serializers.IntegerField(min_value=0, max_value=SITES_MAX,
                                                required=False)
    sensitive_topic = serializers.BooleanField(required=False)
    topics = topics_field()
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)

    HEAT_FIELDS = ["clicks", "comments", "mainstream_sites", "sensitive_topic", "topics"]

    def missing_together(self, data) -> dict:
        if data.get("severity") or any(f in data for f in self.HEAT_FIELDS):
            return {}
        return {"severity": _("请填写级别或传播数据（clicks/comments/mainstream_sites/"
                              "sensitive_topic）")}

    def heat(self) -> Heat | None:
        data = self.validated_data
        if not any(f in data for f in self.HEAT_FIELDS):
            return None
        return Heat(**{f: data[f] for f in self.HEAT_FIELDS if f in data})


class RespondPayload(StepPayload):
    response = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.SYSTEM)


class ReviewPayload(StepPayload):
    findings = serializers.CharField()


class DismissPayload(StepPayload):
    note = serializers.CharField(help_text="Why it is not a public-opinion incident.")


class MergePayload(StepPayload):
    into = RecordField(queryset=Incident.objects.all(),
                                              help_text="The incident this one duplicates.")


class VerbalReportPayload(StepPayload):
    recipient = serializers.CharField(max_length=200)
    note = serializers.CharField(help_text="What was reported by phone.")


class WrittenReportPayload(StepPayload):
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      default="")


class FollowUpPayload(StepPayload):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WRITTEN)
    recipient = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      default="")
    progress = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=5000, label=_("处置进展"),
                                     help_text="C05: progress of handling.")
    developments = serializers.CharField(required=False, allow_blank=True, default="",
                                         max_length=5000, label=_("新情况"),
                                         help_text="C05: new developments.")
    next_steps = serializers.CharField(required=False, allow_blank=True, default="",
                                       max_length=5000, label=_("下一步工作"),
                                       help_text="C05: next steps.")


class SuperiorReportPayload(StepPayload):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WRITTEN)
    recipient = serializers.CharField(max_length=200,
                                      help_text="The superior department reported to.")


class SummaryPayload(StepPayload):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.WRITTEN)
    recipient = serializers.CharField(max_length=200, help_text="Who the summary was sent to.")
    unit = RecordField(queryset=Unit.objects.all(), required=False,
                       help_text="The department whose summary this is (C19); default: the "
                                 "filer's own unit when it owes one, else the owner unit.")


class UpgradePayload(RevisionPayload):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField()
    urgent = serializers.BooleanField(required=False)


class MetricsPayload(StepPayload):
    clicks = serializers.IntegerField(min_value=0, max_value=FIGURE_MAX, default=0)
    comments = serializers.IntegerField(min_value=0, max_value=FIGURE_MAX, default=0)
    follow_up_posts = serializers.IntegerField(min_value=0, max_value=FIGURE_MAX, default=0)
    mainstream_sites = serializers.IntegerField(min_value=0, max_value=SITES_MAX, default=0)
    heat_index = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0,
                                          required=False, allow_null=True)
    sensitive_topic = serializers.BooleanField(default=False)
    topics = topics_field()
    stage = serializers.ChoiceField(choices=Stage.choices)
    stage_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Required when the stage goes back (e.g. ending → outbreak, 反弹).")
    cause = serializers.CharField(required=False, allow_blank=True, default="")
    attention = serializers.CharField(required=False, allow_blank=True, default="")


class SpreadingPayload(StepPayload):
    reason = serializers.CharField(help_text="How it spreads or why it cannot be resolved (C09).")


class PlaybookStepPayload(StepPayload):
    step = serializers.IntegerField(min_value=1, max_value=1000,
                                    help_text="The step's position in the category's playbook "
                                              "(C10a–d).")
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                 help_text="C10b/C10c referral: the body referred to.")
    reference = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=100, help_text="Its reference number (文号).")
    referred_on = serializers.DateField(required=False, allow_null=True, default=None)


class TrackingPayload(StepPayload):
    person = RecordField(queryset=Person.objects.all(),
                         help_text="Who keeps tracking the incident (C22).")


class ReassignPayload(RequiresOneOf, RevisionPayload):
    owner_unit = RecordField(queryset=Unit.objects.all(), required=False)
    accountable_leader = RecordField(queryset=Person.objects.all(),
                                                            required=False)
    reason = serializers.CharField()

    def missing_together(self, data) -> dict:
        if data.get("owner_unit") or data.get("accountable_leader"):
            return {}
        message = _("请指定新的责任单位或责任领导")
        return {"owner_unit": message, "accountable_leader": message}


class AdoptPlanPayload(RevisionPayload):
    plan = RecordField(
        queryset=ResponsePlan.objects.published(),
        help_text="A published version of the incident's plan family.")
    reason = serializers.CharField()
