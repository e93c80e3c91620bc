"""Forms of the notifications pages and admin."""
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Person

from .models import ChannelConfig, ChannelKind, Delivery, PersonChannel

CONFIG_HELP = _("JSON，例如钉钉：{\"url\": \"https://oapi.dingtalk.com/robot/send?access_token=…\", "
                "\"secret\": \"SEC…\"}")


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class ChannelConfigForm(forms.ModelForm):
    """The admin form; the model's clean() runs the channel's own validation, so a robot URL
    without its token is refused here with the channel's message under the config field."""

    config = PrettyJSONField(label=_("配置"), required=False, help_text=CONFIG_HELP,
                             widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))

    class Meta:
        model = ChannelConfig
        fields = ["name", "kind", "unit", "config", "enabled"]

    def clean_config(self):
        return self.cleaned_data.get("config") or {}


class PersonChannelForm(forms.ModelForm):
    config = PrettyJSONField(label=_("配置"), required=False, help_text=CONFIG_HELP,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))

    class Meta:
        model = PersonChannel
        fields = ["person", "kind", "address", "account", "config", "priority", "fallback",
                  "enabled"]

    def clean_config(self):
        return self.cleaned_data.get("config") or {}


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部"))] + Delivery.Status.choices)
    channel_kind = forms.ChoiceField(label=_("渠道"), required=False,
                                     choices=[("", _("全部"))] + ChannelKind.choices)
    incident = forms.IntegerField(label=_("事件编号"), required=False, min_value=1)
    recipient = forms.ModelChoiceField(label=_("接收人"), required=False,
                                       queryset=Person.objects.order_by("name"))

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["channel_kind"]:
            queryset = queryset.filter(channel_kind=data["channel_kind"])
        if data["incident"]:
            queryset = queryset.filter(notification__incident_id=data["incident"])
        if data["recipient"]:
            queryset = queryset.filter(person=data["recipient"])
        return queryset
