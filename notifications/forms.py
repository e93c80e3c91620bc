"""Forms of the notifications pages and admin."""
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Person

from . import secrets
from .models import ChannelConfig, ChannelKind, Delivery, PersonChannel

CONFIG_HELP = _("JSON，例如钉钉：{\"url\": \"https://oapi.dingtalk.com/robot/send?access_token=…\", "
                "\"secret\": \"SEC…\"}")


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class SecretConfigMixin:
    """The stored credentials are never sent back to the browser: the form shows each as its
    last four characters, and a credential left as shown keeps the stored value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["config"] = self.instance.masked_config

    def clean_config(self):
        config = self.cleaned_data.get("config") or {}
        if not self.instance.pk:
            return config
        stored = type(self.instance).objects.get(pk=self.instance.pk)
        kind = self.data.get(self.add_prefix("kind")) or stored.kind
        if kind != stored.kind:
            return config
        config, unmatched = secrets.keep_unchanged(kind, config, stored.config)
        if unmatched:
            raise forms.ValidationError(
                _("%(keys)s：请输入完整的新值，或保留原样（仅显示末四位）")
                % {"keys": ", ".join(unmatched)})
        return config


class ChannelConfigForm(SecretConfigMixin, forms.ModelForm):
    """The admin form; the model's clean() runs the channel's own validation, so a robot URL
    without its token is refused here with the channel's message under the config field."""

    config = PrettyJSONField(label=_("配置"), required=False, help_text=CONFIG_HELP,
                             widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))

    class Meta:
        model = ChannelConfig
        fields = ["name", "kind", "unit", "config", "enabled"]


class PersonChannelForm(SecretConfigMixin, forms.ModelForm):
    config = PrettyJSONField(label=_("配置"), required=False, help_text=CONFIG_HELP,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))

    class Meta:
        model = PersonChannel
        fields = ["person", "kind", "address", "account", "config", "priority", "fallback",
                  "enabled"]


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
