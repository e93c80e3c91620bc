"""Forms that are not verbs of an existing incident: logging a new one, and the list filter.

The verbs' forms are generated from the registry (incidents.verb_forms). A form only checks
what a person typed and hands it to one action; `InvalidInput` from the action is put back on
the form's fields, so nothing the person typed is lost.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from . import actions
from .verb_forms import local_datetime_field
from opinion_ops.errors import InvalidInput
from .models import Incident, Severity, State
from organisation.models import Person, Unit
from plans.models import DeadlineKind, ResponsePlan
from plans.versions import rule_summary

class ActionForm(forms.Form):
    """Common ground of the forms that call an action: error mapping."""

    def apply_action_error(self, error: InvalidInput) -> None:
        for field, message in error.errors.items():
            self.add_error(field if field in self.fields else None, message)


class DetectForm(ActionForm):
    """A monitor logs an incident found online (C06)."""

    title = forms.CharField(label=_("标题"), max_length=300)
    summary = forms.CharField(label=_("概要"), widget=forms.Textarea(attrs={"rows": 3}))
    source_url = forms.URLField(label=_("原帖链接"), max_length=1000, assume_scheme="https")
    platform = forms.CharField(label=_("平台"), max_length=60,
                               widget=forms.TextInput(attrs={"placeholder": _("如：微博、抖音、本地论坛")}))
    discovered_at = local_datetime_field(_("发现时间"), required=True)
    urgent = forms.BooleanField(label=_("紧急"), required=False)
    owner_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.all(),
                                        required=False, help_text=_("留空为舆情办"))
    accountable_leader = forms.ModelChoiceField(
        label=_("责任领导"), required=False, help_text=_("留空为领导小组第一位成员"),
        queryset=Person.objects.filter(unit__kind=Unit.Kind.LEADERSHIP))
    related_units = forms.ModelMultipleChoiceField(
        label=_("相关部门"), queryset=Unit.objects.all(), required=False,
        help_text=_("报告舆情办时同时通报这些部门"))
    plan = forms.ModelChoiceField(label=_("适用预案"), required=False,
                                  queryset=ResponsePlan.objects.current(),
                                  help_text=_("留空为默认预案"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = ResponsePlan.objects.current().filter(is_default=True).first()
        if plan is not None:
            # The windows of the default plan, from its data (an office may have edited them).
            self.windows = rule_summary(plan, [DeadlineKind.REPORT])
            self.urgent_windows = rule_summary(
                plan, [DeadlineKind.VERBAL_REPORT, DeadlineKind.WRITTEN_REPORT])
            self.fields["urgent"].help_text = "；".join(self.urgent_windows)
        else:
            self.windows = self.urgent_windows = []

    def perform(self, actor) -> Incident:
        data = self.cleaned_data
        return actions.detect_incident(
            actor, title=data["title"], summary=data["summary"], source_url=data["source_url"],
            platform=data["platform"], discovered_at=data["discovered_at"],
            urgent=data["urgent"], owner_unit=data.get("owner_unit"),
            accountable_leader=data.get("accountable_leader"), plan=data.get("plan"),
            related_units=data.get("related_units") or (), note=data.get("note", ""))


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), ("open", _("未结案"))] + State.choices)
    severity = forms.ChoiceField(label=_("级别"), required=False,
                                 choices=[("", _("全部级别"))] + Severity.choices)
    q = forms.CharField(label=_("搜索"), required=False)
