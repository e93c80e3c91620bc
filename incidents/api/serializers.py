"""How incidents, deadlines and escalations look through the API (read side).

Times are ISO 8601 with the offset of the office's time zone. The querysets in
incidents.selectors load everything these serializers touch.
"""
from datetime import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incidents import selectors, verbs
from incidents.models import (Category, Deadline, Escalation, EscalationNotice, Incident,
                              MetricSnapshot, Severity, State, TimelineEntry)
from plans.models import DeadlineKind, ResponsePlan
from organisation.models import Person, Unit
from organisation.actors import actor_name


def _now(serializer) -> datetime:
    # One clock per response, so every row of a list is judged against the same moment.
    return serializer.context.get("now") or timezone.now()


def _enum(component: str, choices, *, blank: bool = False) -> type[serializers.ChoiceField]:
    """A read-only choice field documented as its own named enum, so the several "state" and
    "kind" choice sets of the API do not collide under one generated name."""
    values = [value for value, _label in choices] + ([""] if blank else [])

    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, read_only=True, **kwargs)

    EnumField.__name__ = f"{component}Field"
    return extend_schema_field({"type": "string", "enum": values},
                               component_name=component)(EnumField)


IncidentStateField = _enum("IncidentState", State.choices)
TimelineStateField = _enum("TimelineState", State.choices, blank=True)
DeadlineStateField = _enum("DeadlineState", Deadline.State.choices)
DeadlineKindField = _enum("DeadlineKind", DeadlineKind.choices)
EscalationStateField = _enum("EscalationState", Escalation.State.choices)
UnitKindField = _enum("UnitKind", Unit.Kind.choices)


class UnitRefSerializer(serializers.ModelSerializer):
    kind = UnitKindField()

    class Meta:
        model = Unit
        fields = ["id", "name", "kind"]


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "title"]


class PlanRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponsePlan
        fields = ["id", "family", "version", "name"]


@extend_schema_field({"type": "string", "nullable": True})
class UserNameField(serializers.Field):
    """A user shown by the name of their person record (or username)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return actor_name(value)


class TimelineEntrySerializer(serializers.ModelSerializer):
    from_state = TimelineStateField()
    to_state = TimelineStateField()

    class Meta:
        model = TimelineEntry
        fields = ["id", "recorded_at", "occurred_at", "actor_name", "event", "from_state",
                  "to_state", "channel", "recipient", "clause", "note", "data"]
        read_only_fields = fields


class EscalationNoticeSerializer(serializers.ModelSerializer):
    recipients = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = EscalationNotice
        fields = ["level", "audience", "recipients", "created_at"]


class DeadlineEscalationSerializer(serializers.ModelSerializer):
    """The ladder a breached deadline started, as shown inside the deadline."""

    state = EscalationStateField()
    acknowledged_by = UserNameField(allow_null=True)
    notices = EscalationNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "level", "state", "started_at", "next_level_at", "acknowledged_at",
                  "acknowledged_by", "notices"]


class DeadlineSerializer(serializers.ModelSerializer):
    kind = DeadlineKindField()
    state = DeadlineStateField()
    owed_by_unit = UnitRefSerializer(read_only=True)
    owed_by_person = PersonRefSerializer(read_only=True, allow_null=True)
    met_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="When the step that met the deadline says it was done (its stated time).")
    met_recorded_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="When the system recorded that step.")
    breached_at = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="When the deadline was found breached; once set, kept for good, even when a "
                  "later step states an earlier time.")
    recorded_late = serializers.BooleanField(
        read_only=True,
        help_text="Met, recorded late (补录): the stated time is within the window, the record "
                  "of it came after the window had passed (state stays breached if the sweep "
                  "had breached it).")
    minutes_late = serializers.SerializerMethodField(
        help_text="Minutes between due time and the stated time of fulfilment (negative = "
                  "early); for a deadline still owed past due, minutes overdue so far; null "
                  "otherwise.")
    overdue = serializers.SerializerMethodField(
        help_text="Still owed and past due: pending past due, or breached and not met.")
    escalation = serializers.SerializerMethodField()

    class Meta:
        model = Deadline
        fields = ["id", "incident", "kind", "sequence", "state", "clause", "opened_at", "due_at",
                  "met_at", "met_recorded_at", "breached_at", "recorded_late", "owed_by_unit",
                  "owed_by_person", "minutes_late", "overdue", "escalation"]

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_minutes_late(self, deadline) -> int | None:
        return selectors.minutes_late(deadline, _now(self))

    def get_overdue(self, deadline) -> bool:
        return deadline.is_overdue(_now(self))

    @extend_schema_field(DeadlineEscalationSerializer(allow_null=True))
    def get_escalation(self, deadline):
        escalation = getattr(deadline, "escalation", None)
        if escalation is None:
            return None
        return DeadlineEscalationSerializer(escalation, context=self.context).data


class EscalationDeadlineSerializer(serializers.ModelSerializer):
    kind = DeadlineKindField()
    state = DeadlineStateField()

    class Meta:
        model = Deadline
        fields = ["id", "kind", "sequence", "clause", "due_at", "state"]


class EscalationSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="deadline.incident_id", read_only=True)
    incident_title = serializers.CharField(source="deadline.incident.title", read_only=True)
    deadline = EscalationDeadlineSerializer(read_only=True)
    state = EscalationStateField()
    acknowledged_by = UserNameField(allow_null=True)
    notices = EscalationNoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "incident", "incident_title", "deadline", "level", "state",
                  "started_at", "next_level_at", "acknowledged_at", "acknowledged_by",
                  "notices"]


class MetricSnapshotSerializer(serializers.ModelSerializer):
    recorded_by = UserNameField(allow_null=True)

    class Meta:
        model = MetricSnapshot
        fields = ["recorded_at", "recorded_by", "clicks", "comments", "follow_up_posts",
                  "mainstream_sites", "heat_index", "sensitive_topic", "stage", "cause",
                  "attention"]


class IncidentSummarySerializer(serializers.ModelSerializer):
    state = IncidentStateField()
    owner_unit = UnitRefSerializer(read_only=True)
    accountable_leader = PersonRefSerializer(read_only=True)
    plan = PlanRefSerializer(read_only=True)
    # Blank until the incident is classified: "" is among the answers (a read-only model field
    # loses allow_blank in DRF, and the schema's enum with it).
    severity = serializers.ChoiceField(Severity.choices, read_only=True, allow_blank=True)
    category = serializers.ChoiceField(Category.choices, read_only=True, allow_blank=True)

    class Meta:
        model = Incident
        fields = ["id", "title", "platform", "source_url", "discovered_at", "urgent", "state",
                  "severity", "category", "stage", "revision", "owner_unit",
                  "accountable_leader", "plan", "reported_at", "subsided_at", "created_at",
                  "updated_at"]
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSummarySerializer):
    discovered_by = PersonRefSerializer(read_only=True, allow_null=True)
    related_units = UnitRefSerializer(many=True, read_only=True)
    timeline = TimelineEntrySerializer(many=True, read_only=True)
    deadlines = DeadlineSerializer(many=True, read_only=True)
    metrics = MetricSnapshotSerializer(many=True, read_only=True)
    next_actions = serializers.SerializerMethodField(
        help_text="The verbs the requesting user may POST now (route names, e.g. "
                  "`verbal-report`): the incident's state, the user's role and unit decide.")
    available_transitions = serializers.SerializerMethodField(
        help_text="Those of next_actions that move the state.")
    available_steps = serializers.SerializerMethodField(
        help_text="Those of next_actions that do not move the state.")

    class Meta(IncidentSummarySerializer.Meta):
        fields = IncidentSummarySerializer.Meta.fields + [
            "summary", "source_links", "discovered_by", "related_units", "severity_rule",
            "verbal_reported_at",
            "merged_into", "timeline", "deadlines", "metrics", "next_actions",
            "available_transitions", "available_steps"]
        read_only_fields = fields

    def _next(self, incident) -> list:
        request = self.context.get("request")
        if request is None:
            return []
        cache = self.context.setdefault("_next_actions", {})
        if incident.pk not in cache:
            cache[incident.pk] = verbs.next_actions(incident, request.user)
        return cache[incident.pk]

    def get_next_actions(self, incident) -> list[str]:
        return [verb.name for verb in self._next(incident)]

    def get_available_transitions(self, incident) -> list[str]:
        return [verb.name for verb in self._next(incident) if verb.transition]

    def get_available_steps(self, incident) -> list[str]:
        return [verb.name for verb in self._next(incident) if not verb.transition]
