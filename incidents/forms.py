"""Forms for the verbs of the plan, shared by the pages and the admin's intermediate pages.

A form only checks what a person typed and hands it to one function of incidents.actions; the
action decides whether the step is allowed (state, role, revision) and raises an ActionError
when it is not. `InvalidInput` from an action is put back on the form's fields, so nothing the
person typed is lost.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from . import actions
from .classification import Heat
from opinion_ops.errors import InvalidInput
from .models import OPEN_STATES, Category, Channel, Incident, Severity, Stage, State
from organisation.models import Person, Unit
from plans.models import ResponsePlan

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                       "%Y-%m-%d %H:%M:%S"]


def local_datetime_field(label, required=False, help_text=""):
    """A datetime typed in the office's time zone (TIME_ZONE), stored in UTC."""
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, input_formats=LOCAL_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class ActionForm(forms.Form):
    """Common ground of the forms that call an action: error mapping."""

    def apply_action_error(self, error: InvalidInput) -> None:
        for field, message in error.errors.items():
            self.add_error(field if field in self.fields else None, message)


class VerbForm(ActionForm):
    """A step on an existing incident. `perform` calls the action and returns the incident."""

    verb = ""
    title = ""
    permission = ""  # the codename (app incidents) a role needs for this step
    # The revision the person saw; a stale one is refused by the action (StaleRevision).
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def applies_to(self, incident: Incident) -> bool:
        """Whether the page offers this step for the incident's current state."""
        return any(t.name == self.verb for t in incident.get_available_state_transitions())

    def step(self, **overrides) -> actions.Step:
        data = self.cleaned_data
        values = {"channel": data.get("channel") or Channel.SYSTEM,
                  "recipient": data.get("recipient", ""), "note": data.get("note", ""),
                  "occurred_at": data.get("occurred_at")}
        values.update(overrides)
        return actions.Step(**values)

    def expected_revision(self) -> int | None:
        return self.cleaned_data.get("revision")

    def perform(self, incident: Incident, actor) -> Incident:
        raise NotImplementedError


OCCURRED_HELP = _("按北京时间填写；留空为当前时间")


class ReportForm(VerbForm):
    verb, title = "report", _("向舆情办报告")
    permission = "report_incident"
    channel = forms.ChoiceField(label=_("报告方式"), choices=Channel.choices,
                                initial=Channel.PHONE,
                                help_text=_("电话报告同时视为紧急情形的口头汇报（C02）"))
    recipient = forms.CharField(label=_("报告对象"), max_length=200,
                                widget=forms.TextInput(attrs={"placeholder": _("如：舆情办值班室 赵敏")}))
    note = forms.CharField(label=_("报告内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = local_datetime_field(_("报告时间"), help_text=OCCURRED_HELP)

    def perform(self, incident, actor):
        return actions.report_incident(incident, actor, self.step(),
                                       expected_revision=self.expected_revision())


class VerbalReportForm(VerbForm):
    verb, title = "verbal_report", _("登记口头（电话）汇报")
    permission = "record_verbal_report"
    recipient = forms.CharField(label=_("汇报对象"), max_length=200)
    note = forms.CharField(label=_("汇报内容摘要"), widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = local_datetime_field(_("通话时间"), help_text=OCCURRED_HELP)

    def applies_to(self, incident):
        return incident.is_open and incident.verbal_reported_at is None

    def perform(self, incident, actor):
        return actions.record_verbal_report(incident, actor, self.step(channel=Channel.PHONE),
                                            expected_revision=self.expected_revision())


class ClassifyForm(VerbForm):
    verb, title = "classify", _("研判定级")
    permission = "classify_incident"
    category = forms.ChoiceField(label=_("内容类别"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("级别"), required=False,
                                 choices=[("", _("按传播数据判定"))] + Severity.choices,
                                 help_text=_("填写传播数据时按预案阈值判定，取最高级别（C08）"))
    stage = forms.ChoiceField(label=_("阶段"), required=False,
                              choices=[("", "—")] + Stage.choices)
    clicks = forms.IntegerField(label=_("点击量"), required=False, min_value=0)
    comments = forms.IntegerField(label=_("评论数"), required=False, min_value=0)
    mainstream_sites = forms.IntegerField(label=_("主流网站转载数"), required=False, min_value=0)
    sensitive_topic = forms.BooleanField(
        label=_("涉及突发事件、民族、食品、卫生、自然灾害、产品质量、安全或保密"), required=False)
    note = forms.CharField(label=_("研判意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = local_datetime_field(_("研判时间"), help_text=OCCURRED_HELP)

    def heat(self) -> Heat | None:
        data = self.cleaned_data
        figures = [data.get(name) for name in ("clicks", "comments", "mainstream_sites")]
        if all(value is None for value in figures) and not data.get("sensitive_topic"):
            return None
        clicks, comments, sites = (value or 0 for value in figures)
        return Heat(clicks=clicks, comments=comments, mainstream_sites=sites,
                    sensitive_topic=bool(data.get("sensitive_topic")))

    def perform(self, incident, actor):
        data = self.cleaned_data
        return actions.classify_incident(
            incident, actor, category=data["category"], severity=data.get("severity") or None,
            heat=self.heat(), stage=data.get("stage") or None, step=self.step(),
            expected_revision=self.expected_revision())


class RespondForm(VerbForm):
    verb, title = "respond", _("登记处置回应")
    permission = "respond_incident"
    response = forms.CharField(label=_("回应内容（经领导小组审定）"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices, initial=Channel.WRITTEN)
    recipient = forms.CharField(label=_("发布渠道/对象"), max_length=200, required=False,
                                widget=forms.TextInput(attrs={"placeholder": _("如：官方微博、原帖回复")}))
    note = forms.CharField(label=_("说明"), required=False)
    occurred_at = local_datetime_field(_("回应时间"), help_text=OCCURRED_HELP)

    def perform(self, incident, actor):
        return actions.respond_incident(incident, actor, self.step(),
                                        response=self.cleaned_data["response"],
                                        expected_revision=self.expected_revision())


class ReviewForm(VerbForm):
    verb, title = "review", _("复盘评估")
    permission = "review_incident"
    findings = forms.CharField(label=_("复盘结论与责任认定"), widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("说明"), required=False)
    occurred_at = local_datetime_field(_("复盘时间"), help_text=OCCURRED_HELP)

    def perform(self, incident, actor):
        return actions.review_incident(incident, actor, self.step(),
                                       findings=self.cleaned_data["findings"],
                                       expected_revision=self.expected_revision())


class DismissForm(VerbForm):
    verb, title = "dismiss", _("排除")
    permission = "dismiss_incident"
    note = forms.CharField(label=_("排除理由"), widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = local_datetime_field(_("排除时间"), help_text=OCCURRED_HELP)

    def perform(self, incident, actor):
        return actions.dismiss_incident(incident, actor, self.step(),
                                        expected_revision=self.expected_revision())


class MergeForm(VerbForm):
    verb, title = "merge", _("合并至其他事件")
    permission = "merge_incident"
    into = forms.ModelChoiceField(label=_("合并至"),
                                  queryset=Incident.objects.filter(state__in=OPEN_STATES))
    note = forms.CharField(label=_("说明"), required=False)

    def perform(self, incident, actor):
        return actions.merge_incident(incident, actor, self.step(),
                                      into=self.cleaned_data["into"],
                                      expected_revision=self.expected_revision())


class ObligationForm(VerbForm):
    """Filing what an open deadline asks for; offered while such a deadline is unmet."""

    kind = ""
    permission = "report_incident"
    channel = forms.ChoiceField(label=_("方式"), choices=Channel.choices, initial=Channel.WRITTEN)
    recipient = forms.CharField(label=_("报送对象"), max_length=200)
    note = forms.CharField(label=_("内容摘要"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = local_datetime_field(_("报送时间"), help_text=OCCURRED_HELP)

    def applies_to(self, incident):
        return incident.deadlines.filter(kind=self.kind, met_at__isnull=True,
                                         state__in=["pending", "breached"]).exists()

    def act(self, incident, actor, step, revision):
        raise NotImplementedError

    def perform(self, incident, actor):
        return self.act(incident, actor, self.step(), self.expected_revision())


class WrittenReportForm(ObligationForm):
    verb, title, kind = "written_report", _("报送书面汇报（C02）"), "written_report"

    def act(self, incident, actor, step, revision):
        return actions.file_written_report(incident, actor, step, expected_revision=revision)


class FollowUpForm(ObligationForm):
    verb, title, kind = "follow_up", _("报送续报（C05）"), "follow_up"

    def act(self, incident, actor, step, revision):
        return actions.file_follow_up_report(incident, actor, step, expected_revision=revision)


class SuperiorReportForm(ObligationForm):
    verb, title, kind = "superior_report", _("报告上级主管部门（C04）"), "superior_report"

    def act(self, incident, actor, step, revision):
        return actions.report_to_superior(incident, actor, step, expected_revision=revision)


class SummaryForm(ObligationForm):
    verb, title, kind = "summary", _("报送书面总结（C19）"), "summary"
    permission = "respond_incident"

    def act(self, incident, actor, step, revision):
        return actions.file_summary(incident, actor, step, expected_revision=revision)


VERB_FORMS: dict[str, type[VerbForm]] = {
    form.verb: form for form in (ReportForm, VerbalReportForm, ClassifyForm, RespondForm,
                                 ReviewForm, DismissForm, MergeForm, WrittenReportForm,
                                 FollowUpForm, SuperiorReportForm, SummaryForm)
}
# The pages offer these; merging is done in the admin, where both incidents can be found.
PAGE_VERBS = ["report", "verbal_report", "written_report", "superior_report", "follow_up",
              "classify", "respond", "summary", "review", "dismiss"]


class DetectForm(ActionForm):
    """A monitor logs an incident found online (C06)."""

    title = forms.CharField(label=_("标题"), max_length=300)
    summary = forms.CharField(label=_("概要"), widget=forms.Textarea(attrs={"rows": 3}))
    source_url = forms.URLField(label=_("原帖链接"), max_length=1000, assume_scheme="https")
    platform = forms.CharField(label=_("平台"), max_length=60,
                               widget=forms.TextInput(attrs={"placeholder": _("如：微博、抖音、本地论坛")}))
    discovered_at = local_datetime_field(_("发现时间"), required=True)
    urgent = forms.BooleanField(label=_("紧急（30 分钟内口头汇报、90 分钟内书面汇报）"),
                                required=False)
    owner_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.all(),
                                        required=False, help_text=_("留空为舆情办"))
    accountable_leader = forms.ModelChoiceField(
        label=_("责任领导"), required=False, help_text=_("留空为领导小组第一位成员"),
        queryset=Person.objects.filter(unit__kind=Unit.Kind.LEADERSHIP))
    plan = forms.ModelChoiceField(label=_("适用预案"), required=False,
                                  queryset=ResponsePlan.objects.current(),
                                  help_text=_("留空为默认预案"))
    note = forms.CharField(label=_("说明"), required=False)

    def perform(self, actor) -> Incident:
        data = self.cleaned_data
        return actions.detect_incident(
            actor, title=data["title"], summary=data["summary"], source_url=data["source_url"],
            platform=data["platform"], discovered_at=data["discovered_at"],
            urgent=data["urgent"], owner_unit=data.get("owner_unit"),
            accountable_leader=data.get("accountable_leader"), plan=data.get("plan"),
            note=data.get("note", ""))


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部状态")), ("open", _("未结案"))] + State.choices)
    severity = forms.ChoiceField(label=_("级别"), required=False,
                                 choices=[("", _("全部级别"))] + Severity.choices)
    q = forms.CharField(label=_("搜索"), required=False)
