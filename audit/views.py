"""The auditor's pages (C21, C24): findings with their evidence, one incident's audit, the
compliance figures with charts and exports, and the chain check. Read-only for the record;
every visit by an auditor is logged by audit.access.AccessLogMiddleware, every export by the
export itself."""
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incidents import selectors
from incidents.models import Category, Severity, State
from opinion_ops.errors import ActionError, InvalidInput
from organisation.models import Person, Unit

from . import actions, charts, exports, figures, reviews
from .api import export_response, filter_findings
from .findings import refresh_findings
from .models import (Commendation, Finding, FindingKind, FindingStatus, PlanChangeProposal,
                     Review)
from .verify import verify


def _auditing(user) -> None:
    if not user.has_perm("audit.view_audit"):
        raise PermissionDenied(_("您的角色无权查看审计数据"))


def _day(value: str | None, default: date | None) -> date | None:
    return parse_date(value) if value else default


@login_required
def findings_page(request):
    rows = selectors.of_visible_incidents(
        request.user, Finding.objects.select_related("incident", "unit", "person"), "incident")
    errors, query = {}, {}
    for name in ("kind", "status"):
        value = request.GET.get(name) or ""
        choices = FindingKind.values if name == "kind" else FindingStatus.values
        if value and value not in choices:
            errors[name] = _("无效的选项")
        elif value:
            query[name] = value
    if request.GET.get("unit", "").isdigit():
        query["unit"] = int(request.GET["unit"])
    page = Paginator(filter_findings(rows, query).order_by("-occurred_at", "-id"), 50) \
        .get_page(request.GET.get("page"))
    return render(request, "audit/findings.html", {
        "page": page, "errors": errors, "kinds": FindingKind.choices,
        "statuses": FindingStatus.choices, "units": Unit.objects.all(), "query": request.GET},
        status=400 if errors else 200)


@login_required
def incident_page(request, pk: int):
    incident = selectors.visible_incidents(request.user).select_related(
        "owner_unit", "plan").filter(pk=pk).first()
    if incident is None:
        raise Http404
    refresh_findings([incident.pk])  # computed from the record as it stands now
    return render(request, "audit/incident.html", {
        "incident": incident,
        "findings": incident.findings.select_related("unit", "person", "decided_by")
        .order_by("occurred_at", "id"),
        "commendations": Commendation.objects.filter(incident=incident),
        "chain": verify([incident.pk]),
        "may_decide": request.user.has_perm("audit.decide_finding"),
        **_review_context(request.user, incident)})


def _review_context(user, incident) -> dict:
    review = Review.objects.filter(incident=incident).prefetch_related("reviewers").first()
    return {"review": review,
            "plan_changes": review.plan_changes.select_related("draft", "adopted_by")
            if review else [],
            "may_review": user.has_perm("audit.record_review")
            and incident.state == State.RESPONDED,
            "may_adopt": user.has_perm("audit.adopt_plan_change"),
            "leadership": reviews.leadership_people(),
            "reviewer_ids": {p.pk for p in review.reviewers.all()} if review else set(),
            "experts_text": "\n".join(
                "，".join(filter(None, [e["name"], e.get("affiliation")]))
                for e in (review.experts if review else []))}


def parse_experts(text: str) -> list[dict]:
    """One expert a line: "name，affiliation" (a Chinese or ASCII comma)."""
    rows = []
    for line in (text or "").splitlines():
        name, _sep, affiliation = line.replace(",", "，").partition("，")
        if name.strip():
            rows.append({"name": name.strip(), "affiliation": affiliation.strip()})
    return rows


def _visible_incident(user, pk: int):
    incident = selectors.visible_incidents(user).filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident


@login_required
@require_POST
def review_page(request, pk: int):
    """C20: the review's record from the incident's audit page."""
    incident = _visible_incident(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("reviewers") if v.isdigit()]
    try:
        reviews.record_review(incident, request.user,
                              reviewers=list(Person.objects.filter(pk__in=ids)),
                              conclusion=request.POST.get("conclusion", ""),
                              lessons=request.POST.get("lessons", ""),
                              experts=parse_experts(request.POST.get("experts", "")))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("audit:incident", incident.pk)


@login_required
@require_POST
def propose_page(request, pk: int):
    incident = _visible_incident(request.user, pk)
    review = Review.objects.filter(incident=incident).first()
    try:
        if review is None:
            raise InvalidInput({"proposal": _("请先填写复盘评估记录")})
        reviews.propose_plan_change(review, request.user,
                                    proposal=request.POST.get("proposal", ""))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("audit:incident", incident.pk)


@login_required
@require_POST
def adopt_page(request, pk: int):
    change = get_object_or_404(selectors.of_visible_incidents(
        request.user, PlanChangeProposal.objects.all(), "review__incident"), pk=pk)
    try:
        reviews.adopt_plan_change(change, request.user)
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("audit:incident", change.review.incident_id)


@login_required
def compliance_page(request):
    _auditing(request.user)
    today = timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    first, last = _day(request.GET.get("from"), quarter_start), _day(request.GET.get("to"), today)
    unit = Unit.objects.filter(pk=request.GET["unit"]).first() \
        if request.GET.get("unit", "").isdigit() else None
    if first is None or last is None or first > last:
        return render(request, "audit/compliance.html", {
            "error": _("请填写有效的起止日期（YYYY-MM-DD，开始不晚于结束）"),
            "units": Unit.objects.all()}, status=400)
    numbers = figures.compliance(figures.Period(first, last), unit=unit)
    kind = request.GET.get("format")
    if kind in ("csv", "xlsx"):
        return export_response(request, numbers, kind)
    labels = {**dict(Severity.choices), "unclassified": _("未定级")}
    return render(request, "audit/compliance.html", {
        "figures": numbers, "first": first, "last": last, "unit": unit,
        "units": Unit.objects.all(), "rows": exports.shown_rows(numbers),
        "category_labels": dict(Category.choices),
        "deadline_chart": charts.deadline_chart(numbers["deadlines"]),
        "severity_chart": charts.severity_chart(numbers["incidents"]["by_severity"], labels)})


@login_required
def chains_page(request):
    _auditing(request.user)
    raw = request.GET.get("incident", "")
    report = verify([int(raw)] if raw.isdigit() else None)
    return render(request, "audit/chains.html", {"report": report})


@login_required
@require_POST
def decide_page(request, pk: int, decision: str):
    """The auditor's confirm or dismiss from the incident's audit page (C21)."""
    finding = get_object_or_404(selectors.of_visible_incidents(
        request.user, Finding.objects.all(), "incident"), pk=pk)
    decide = {"confirm": actions.confirm_finding, "dismiss": actions.dismiss_finding}.get(decision)
    if decide is None:
        raise Http404
    try:
        decide(finding, request.user, reason=request.POST.get("reason", ""))
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("audit:incident", finding.incident_id)
