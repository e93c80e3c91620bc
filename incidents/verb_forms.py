"""The page and admin forms of the verbs, generated from each verb's input schema.

A verb's payload (incidents.api.payloads) is its one input schema; this turns its fields into a
Django form that reads times in the office's time zone, so the pages, the admin and the API
accept the same fields under the same names and hand the same data to `verbs.perform`.
"""
import functools

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import fields as drf, relations

from opinion_ops.errors import InvalidInput
from organisation.models import Person
from plans.models import SensitiveTopic

from . import verbs
from .models import Incident

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                       "%Y-%m-%d %H:%M:%S"]

# Labels of the fields the payloads share; a payload field's own `label` wins.
LABELS = {
    "channel": _("方式"), "recipient": _("报送对象"), "note": _("说明"),
    "occurred_at": _("发生时间"), "late_reason": _("补录原因"), "category": _("内容类别"),
    "severity": _("级别"), "stage": _("阶段"), "clicks": _("点击量"), "comments": _("评论数"),
    "mainstream_sites": _("主流网站转载数"), "follow_up_posts": _("跟帖数"),
    "sensitive_topic": _("涉及突发事件、民族、食品、卫生、自然灾害、产品质量、安全或保密"),
    "response": _("回应内容"), "findings": _("复盘结论与责任认定"), "into": _("合并至"),
    "reason": _("理由"), "urgent": _("紧急"), "owner_unit": _("责任单位"),
    "accountable_leader": _("责任领导"), "plan": _("预案版本"), "cause": _("起因"),
    "attention": _("关注点"), "heat_index": _("热度指数"), "topics": _("涉及的敏感领域"),
    "stage_reason": _("阶段回退原因"), "lead_unit": _("牵头单位"), "co_units": _("协办单位"),
    "instruction": _("领导批办意见"), "kind": _("类型"), "body": _("正文"),
    "statement": _("参考口径"),
}
HELP = {
    "occurred_at": _("按本单位时区填写；留空为当前时间"),
    "late_reason": _("发生时间早于记录时间超过预案容许时差时必填"),
    "into": _("填写事件编号"),
}
LONG_TEXT = {"note", "response", "findings", "reason", "cause", "attention", "late_reason",
             "progress", "developments", "next_steps",
             "stage_reason", "instruction"}


def _topic_choices():
    """Every sensitive topic any plan lists; the action checks them against the incident's."""
    return list(SensitiveTopic.objects.order_by("code").values_list("code", "name").distinct())


def local_datetime_field(label, required=False, help_text=""):
    """A datetime typed in the office's time zone (TIME_ZONE), stored in UTC."""
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, input_formats=LOCAL_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class ListedChoices(forms.models.ModelChoiceIterator):
    """A list's options read with one plain query. Django's own iterator() opens a server-side
    cursor on PostgreSQL (DECLARE … WITH HOLD, FETCH, CLOSE: three round trips, and the rows
    materialised at commit) to spare memory on a long list; the units and people a verb's form
    offers are a short one, and the incident page shows a dozen of them."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoices


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoices


def _named(queryset):
    """A person's option reads "name（unit）": their units in the same query, not one each."""
    return queryset.select_related("unit") if queryset.model is Person else queryset


def _form_field(name: str, field) -> forms.Field:
    # A bound DRF field without a label of its own gets an English one made from its name
    # ("Occurred at"): a label the payload gives wins, then the shared Chinese one.
    label = field._kwargs.get("label") or LABELS.get(name) or field.label
    required = field.required and not getattr(field, "allow_blank", False)
    help_text = HELP.get(name, "")
    if isinstance(field, drf.DateTimeField):
        return local_datetime_field(label, required=required, help_text=help_text)
    if isinstance(field, drf.DateField):
        return forms.DateField(label=label, required=required,
                               widget=forms.DateInput(attrs={"type": "date"}))
    if isinstance(field, drf.BooleanField):
        return forms.BooleanField(label=label, required=False)
    if isinstance(field, drf.ChoiceField):
        choices = list(field.choices.items())
        return forms.ChoiceField(label=label, required=required,
                                 choices=choices if required else [("", "—")] + choices,
                                 initial=None if field.default is drf.empty else field.default)
    if isinstance(field, drf.IntegerField):
        return forms.IntegerField(label=label, required=required, min_value=field.min_value,
                                  max_value=field.max_value)
    if isinstance(field, drf.DecimalField):
        return forms.DecimalField(label=label, required=required, min_value=field.min_value,
                                  max_digits=field.max_digits,
                                  decimal_places=field.decimal_places)
    if isinstance(field, drf.ListField) and name == "topics":
        return forms.MultipleChoiceField(label=label, required=False, choices=_topic_choices,
                                         widget=forms.CheckboxSelectMultiple)
    if isinstance(field, relations.ManyRelatedField):
        return ModelMultipleChoiceField(
            label=label, required=required, queryset=_named(field.child_relation.queryset),
            widget=forms.CheckboxSelectMultiple)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        # Incidents grow without bound: a list of every one would be the page's whole cost
        # at a province's 100,000 (bench/console.py), so an incident is named by its number.
        widget = (forms.NumberInput(attrs={"min": 1})
                  if field.queryset.model is Incident else None)
        return ModelChoiceField(label=label, required=required, help_text=help_text,
                                queryset=_named(field.queryset), widget=widget)
    widget = forms.Textarea(attrs={"rows": 2}) if name in LONG_TEXT else None
    return forms.CharField(label=label, required=required, max_length=field.max_length,
                           help_text=help_text, widget=widget)


class PayloadForm(forms.Form):
    """A form over a verb's payload serializer (an incident's verb, or a referral slip's):
    fields left blank take the payload's defaults, and an action's field errors are shown on
    their fields."""

    verb: "verbs.Verb"  # or any declaration with a payload() serializer

    def clean(self):
        cleaned = super().clean()
        for name, field in self.verb.payload().fields.items():
            if cleaned.get(name) in ("", None) and field.default is not drf.empty:
                cleaned[name] = field.default
        return cleaned

    def apply_action_error(self, error: InvalidInput) -> None:
        for field, message in error.errors.items():
            self.add_error(field if field in self.fields else None, message)


class VerbForm(PayloadForm):
    """A verb's form; `perform` runs it through the registry and returns the incident."""

    verb: verbs.Verb
    # The revision the person saw; a stale one is refused by the action (StaleRevision).
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @property
    def title(self) -> str:
        return self.verb.label_for(getattr(self, "incident", None))

    def perform(self, incident: Incident, actor) -> Incident:
        return verbs.perform(self.verb, incident, actor, self.cleaned_data,
                             expected_revision=self.cleaned_data.get("revision"))


def payload_fields(payload: type) -> dict[str, forms.Field]:
    """The form fields of an input schema (also for a capability's verbs, e.g. on a slip)."""
    return {name: _form_field(name, field) for name, field in payload().fields.items()
            if name != "expected_revision"}


def _build(verb: verbs.Verb) -> type[VerbForm]:
    fields = payload_fields(verb.payload)
    return type(f"{verb.slug.title().replace('_', '')}Form", (VerbForm,),
                {"verb": verb, **fields})


@functools.cache
def form_class(verb: verbs.Verb) -> type[VerbForm]:
    """The verb's form class, built once (on first use, so verbs registered at start-up by
    capability apps have theirs too)."""
    return _build(verb)


def form_for(verb: verbs.Verb, incident: Incident | None = None, **kwargs) -> VerbForm:
    form = form_class(verb)(prefix=verb.slug, **kwargs)
    form.incident = incident
    return form
