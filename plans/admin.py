"""Response plans in the admin: versions, never edited in place once published.

A published version is a read-only page (its rules and ladder too). "Create new version" copies
it into a draft (plans.start_revision); the draft is edited here with its rules and ladder, and
"publish" makes it the family's current version (plans.publish), the old one kept as superseded.
Incidents keep the version they started under.
"""
from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _, gettext_lazy

from plans import versions as plans
from opinion_ops.errors import InvalidInput
from plans.models import (AnnouncementRule, ApprovalRule, DeadlineRule, EscalationStep, OfficeClosure,
                          PlaybookStep,
                          ResponsePlan, SensitiveTopic)

DRAFT_LOCKED_FIELDS = ["family", "version", "published_at", "superseded_at", "created_by",
                       "created_at"]


class PublishedPlanLockedInline:
    """Rules and ladder follow their plan: editable on a draft, read-only once published."""

    extra = 0

    def _draft(self, obj):
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


class DeadlineRuleInline(PublishedPlanLockedInline, admin.TabularInline):
    model = DeadlineRule
    fields = ["kind", "amount", "unit", "anchor", "urgent_amount", "clause"]


class EscalationStepInline(PublishedPlanLockedInline, admin.TabularInline):
    model = EscalationStep
    fields = ["level", "audience", "delay_minutes"]


class ApprovalRuleInline(PublishedPlanLockedInline, admin.TabularInline):
    model = ApprovalRule
    fields = ["kind", "from_severity", "audience", "quorum", "gates_respond", "clause"]


class SensitiveTopicInline(PublishedPlanLockedInline, admin.TabularInline):
    model = SensitiveTopic
    fields = ["code", "name"]


class PlaybookStepInline(PublishedPlanLockedInline, admin.TabularInline):
    model = PlaybookStep
    fields = ["category", "position", "title", "amount", "unit", "owner", "verb",
              "records_referral", "clause"]


class AnnouncementRuleInline(PublishedPlanLockedInline, admin.TabularInline):
    model = AnnouncementRule
    fields = ["point", "audience", "clause"]


class PlanStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("版本状态")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("current", _("现行")), ("draft", _("草稿")), ("superseded", _("已替代"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "draft":
            return queryset.filter(published_at__isnull=True)
        if self.value() == "superseded":
            return queryset.filter(superseded_at__isnull=False)
        return queryset


class NewPlanForm(forms.ModelForm):
    """A brand-new plan family starts as draft version 1."""

    class Meta:
        model = ResponsePlan
        exclude = DRAFT_LOCKED_FIELDS

    def clean_family(self):
        family = self.cleaned_data["family"]
        if ResponsePlan.objects.filter(family=family).exists():
            raise forms.ValidationError(
                _("预案编号“%s”已存在；修改现有预案请在列表中选择“创建新版本（草稿）”") % family)
        return family


@admin.register(ResponsePlan)
class ResponsePlanAdmin(admin.ModelAdmin):
    list_display = ["family", "version", "name", "is_default", "status", "published_at",
                    "superseded_at", "incident_count"]
    list_display_links = ["family", "version", "name"]
    list_filter = [PlanStatusFilter, "family", "is_default"]
    search_fields = ["family", "name", "change_note"]
    ordering = ["family", "-version"]
    inlines = [DeadlineRuleInline, EscalationStepInline, ApprovalRuleInline, SensitiveTopicInline,
               PlaybookStepInline, AnnouncementRuleInline]
    actions = ["start_revision", "publish"]
    change_form_template = "admin/plans/responseplan/change_form.html"

    @admin.display(description=gettext_lazy("状态"))
    def status(self, plan):
        if not plan.is_published:
            return format_html('<span style="color:#a15c00">{}</span>', _("草稿"))
        if plan.superseded_at:
            return format_html('<span style="color:#66727f">{}</span>', _("已替代"))
        return format_html('<strong style="color:#1d6b3a">{}</strong>', _("现行"))

    @admin.display(description=gettext_lazy("适用事件数"))
    def incident_count(self, plan):
        return plan.incidents.count()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewPlanForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_published:
            return [field.name for field in obj._meta.concrete_fields
                    if field.name not in ("id", "created_by")] + ["creator"]
        return [f for f in DRAFT_LOCKED_FIELDS if f != "created_by"] + ["creator"]

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in ("created_by", "creator")]
        return fields + (["creator"] if obj is not None else [])

    @admin.display(description=gettext_lazy("创建人"))
    def creator(self, plan):
        return plan.created_by or "—"

    def get_exclude(self, request, obj=None):
        return DRAFT_LOCKED_FIELDS if obj is None else None

    # A published version is a record: it can be viewed, never changed or deleted.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None or obj.is_published or obj.incidents.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("创建新版本（草稿）"), permissions=["add"])
    def start_revision(self, request, queryset):
        for plan in queryset:
            existing = ResponsePlan.objects.filter(family=plan.family,
                                                   published_at__isnull=True).first()
            if existing is not None:
                self.message_user(request, format_html(
                    _("“{}”已有未发布的草稿 v{}，请直接编辑：<a href=\"{}\">打开草稿</a>"),
                    plan.family, existing.version,
                    reverse("admin:plans_responseplan_change", args=[existing.pk])),
                    messages.WARNING)
                continue
            draft = plans.start_revision(plan, request.user)
            self.message_user(request, format_html(
                _("已由 {} v{} 创建草稿 v{}（原版本保留不变）：<a href=\"{}\">编辑草稿</a>"),
                plan.name, plan.version, draft.version,
                reverse("admin:plans_responseplan_change", args=[draft.pk])),
                messages.SUCCESS)

    @admin.action(description=gettext_lazy("发布（成为现行版本）"), permissions=["add"])
    def publish(self, request, queryset):
        for plan in queryset:
            try:
                plans.publish(plan)
            except InvalidInput as error:
                self.message_user(request, f"{plan}：{'；'.join(error.errors.values())}",
                                  messages.ERROR)
            else:
                self.message_user(request, _("%(plan)s 已发布为现行版本，之前的版本已标记为被替代")
                                  % {"plan": plan}, messages.SUCCESS)


@admin.register(OfficeClosure)
class OfficeClosureAdmin(admin.ModelAdmin):
    list_display = ["day", "reason"]
