"""The board's filters: search, severity, owner unit, urgent only, overdue only."""
from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Severity
from organisation.models import Unit


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("标题或概要")}))
    severity = forms.ChoiceField(label=_("级别"), required=False,
                                 choices=[("", _("全部级别"))] + Severity.choices)
    unit = forms.ModelChoiceField(label=_("责任单位"), required=False,
                                  queryset=Unit.objects.order_by("name"),
                                  empty_label=_("全部单位"))
    urgent = forms.BooleanField(label=_("只看紧急"), required=False)
    overdue = forms.BooleanField(label=_("只看超时"), required=False)

    def criteria(self) -> dict:
        """The board's keyword arguments; none (the whole board) while the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"search": data["q"].strip(), "severity": data["severity"],
                "unit": data["unit"], "urgent": data["urgent"], "overdue": data["overdue"]}
