"""Query filters of the list endpoints."""
from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.models import Category, Deadline, Escalation, Incident, Severity, State
from plans.models import DeadlineKind
from organisation.models import Unit


class DateOrDateTimeField(forms.Field):
    """A bare date (a whole day in the office's time zone) or an ISO 8601 date-time; a
    date-time without an offset is read in the office's time zone."""

    default_error_messages = {"invalid": _("请输入日期（2026-11-23）或带时区的时间"
                                           "（2026-11-23T10:00:00+08:00）")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = value.strip()
        try:
            # Dates first: parse_datetime would read "2026-11-23" as its midnight.
            day = parse_date(value)
            # An unencoded "+08:00" in a query string arrives as " 08:00".
            moment = None if day else (parse_datetime(value)
                                       or parse_datetime(value.replace(" ", "+")))
        except ValueError:
            day = moment = None
        if day is not None:
            return day
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@extend_schema_field(OpenApiTypes.STR)
class MomentFilter(django_filters.Filter):
    """`bound="after"`: at or after; `bound="before"`: at or before (a date: the whole day)."""

    field_class = DateOrDateTimeField

    def __init__(self, *args, bound: str, **kwargs):
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        name = self.field_name
        if isinstance(value, datetime):
            lookup = "gte" if self.bound == "after" else "lte"
            return qs.filter(**{f"{name}__{lookup}": value})
        if self.bound == "after":
            return qs.filter(**{f"{name}__gte": _day_start(value)})
        return qs.filter(**{f"{name}__lt": _day_start(value + timedelta(days=1))})


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than silently no filter."""

    widget = forms.TextInput  # NullBooleanSelect would turn an unknown word into "no filter"

    def to_python(self, value):
        if value in self.empty_values:
            return None
        answer = {"true": True, "1": True, "false": False, "0": False}.get(str(value).lower())
        if answer is None:
            raise forms.ValidationError(_("请填写 true 或 false"), code="invalid")
        return answer


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IncidentFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    unit = django_filters.ModelChoiceFilter(field_name="owner_unit", queryset=Unit.objects.all(),
                                            help_text="Owner unit id.")
    discovered_after = MomentFilter(field_name="discovered_at", bound="after",
                                    help_text="Date (whole day) or ISO 8601 date-time.")
    discovered_before = MomentFilter(field_name="discovered_at", bound="before",
                                     help_text="Date (whole day) or ISO 8601 date-time.")
    search = django_filters.CharFilter(method="filter_search",
                                       help_text="Words, each found in title, summary or "
                                                 "source URL.")

    class Meta:
        model = Incident
        fields = ["state", "severity", "category", "unit", "discovered_after",
                  "discovered_before", "search"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word)
                                       | Q(source_url__icontains=word))
        return queryset


class DeadlineFilter(django_filters.FilterSet):
    incident = django_filters.NumberFilter(field_name="incident_id")
    kind = django_filters.ChoiceFilter(choices=DeadlineKind.choices)
    state = django_filters.ChoiceFilter(choices=Deadline.State.choices)
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        help_text="true: still owed and past due (pending past due, or breached and not met); "
                  "a breached deadline met later is late, not overdue. false: the others.")
    late = StrictBooleanFilter(
        method="filter_late",
        help_text="true: met after due, or breached (a breach stands even when the step later "
                  "states an earlier time). false: the others.")
    recorded_late = StrictBooleanFilter(
        method="filter_recorded_late",
        help_text="true: met at a stated time within the window but recorded after it (补录).")
    due_after = MomentFilter(field_name="due_at", bound="after")
    due_before = MomentFilter(field_name="due_at", bound="before")

    class Meta:
        model = Deadline
        fields = ["incident", "kind", "state", "overdue", "late", "recorded_late", "due_after",
                  "due_before"]

    # The readings are DeadlineQuerySet's, the same the admin's filters use.
    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.overdue() if value else queryset.not_overdue()

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.late() if value else queryset.exclude(pk__in=queryset.late().values("pk"))

    def filter_recorded_late(self, queryset, name, value):
        if value is None:
            return queryset
        recorded_late = queryset.recorded_late()
        return recorded_late if value else queryset.exclude(pk__in=recorded_late.values("pk"))


class EscalationFilter(django_filters.FilterSet):
    incident = django_filters.NumberFilter(field_name="deadline__incident_id")
    state = django_filters.ChoiceFilter(choices=Escalation.State.choices)

    class Meta:
        model = Escalation
        fields = ["incident", "state"]
