"""Severity from heat (C08) and the content categories' handling (C10)."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from plans.models import ResponsePlan
from .models import Severity


@dataclass(frozen=True)
class Heat:
    clicks: int = 0
    comments: int = 0
    mainstream_sites: int = 0
    # Touches a sensitive field without naming it (the older form of the API's input).
    sensitive_topic: bool = False
    # The codes of the plan's sensitive topics (plans.SensitiveTopic) the incident touches.
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeverityFinding:
    severity: str
    rule: str


def unknown_topics(plan: ResponsePlan, topics) -> list[str]:
    """The codes among `topics` that the plan does not list as sensitive."""
    known = {topic.code for topic in plan.sensitive_topics.all()}
    return [code for code in topics if code not in known]


def severity_from_metrics(plan: ResponsePlan, heat: Heat) -> SeverityFinding:
    """C08: each threshold of the plan votes; the highest level any rule reaches wins."""
    findings = [SeverityFinding(Severity.GENERAL, _("未达重大舆情标准"))]
    if plan.sensitive_topics_especially_major:
        names = [t.name for t in plan.sensitive_topics.all() if t.code in heat.topics]
        if names:
            findings.append(SeverityFinding(Severity.ESPECIALLY_MAJOR,
                                            _("涉及敏感领域：%s") % "、".join(names)))
        elif heat.sensitive_topic:
            findings.append(SeverityFinding(Severity.ESPECIALLY_MAJOR, _("涉及敏感领域")))
    for value, major, especially, label in (
        (heat.clicks, plan.major_clicks, plan.especially_major_clicks, _("点击量")),
        (heat.comments, plan.major_comments, plan.especially_major_comments, _("评论数")),
        (heat.mainstream_sites, plan.major_mainstream_sites,
         plan.especially_major_mainstream_sites, _("主流网站转载数")),
    ):
        if value >= especially:
            findings.append(SeverityFinding(
                Severity.ESPECIALLY_MAJOR, _("%(label)s %(value)s ≥ %(limit)s")
                % {"label": label, "value": value, "limit": especially}))
        elif value >= major:
            findings.append(SeverityFinding(
                Severity.MAJOR, _("%(label)s %(value)s ≥ %(limit)s")
                % {"label": label, "value": value, "limit": major}))
    top = max(Severity.rank(f.severity) for f in findings)
    winners = [f for f in findings if Severity.rank(f.severity) == top]
    return SeverityFinding(winners[0].severity, "；".join(f.rule for f in winners))


def higher_severity(a: str | None, b: str | None) -> str:
    return a if Severity.rank(a) >= Severity.rank(b) else b
