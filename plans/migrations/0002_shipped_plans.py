"""The shipped response plans: the default (2-hour report, C01) and the 1-hour variant (C03).

The numbers are those of the plans quoted in shared/sources; an office edits them as data.
"""
from django.db import migrations
from django.utils import timezone

DEFAULT_RULES = [
    # kind, amount, unit, anchor, clause, urgent_amount
    ("report", 2, "hours", "discovered", "C01", None),
    ("verbal_report", 30, "minutes", "discovered", "C02", None),
    ("written_report", 90, "minutes", "discovered", "C02", None),
    ("follow_up", 4, "hours", "obligation_start", "C05", None),
    ("superior_report", 2, "hours", "obligation_start", "C04", None),
    ("referral_forward", 2, "hours", "obligation_start", "C11", None),
    ("referral_reply", 3, "working_days", "obligation_start", "C12", 2),
    ("summary", 3, "calendar_days", "obligation_start", "C19", None),
]
DEFAULT_LADDER = [(1, "owner", 0), (2, "office", 15), (3, "leadership", 30)]

PLANS = [
    {
        "family": "default",
        "name": "网络舆情应急处置预案",
        "is_default": True,
        "change_note": "随系统发布：发现重大舆情后最迟 2 小时内报告；紧急情况 30 分钟口头、90 分钟书面汇报。",
        "overrides": {},
    },
    {
        "family": "one-hour",
        "name": "网络舆情应急处置预案（1 小时报告）",
        "is_default": False,
        "change_note": "随系统发布：最迟不得超过 1 小时报告；口头汇报后 30 分钟内报送书面信息。",
        "overrides": {
            "report": (1, "hours", "discovered", "C03", None),
            "written_report": (30, "minutes", "verbal_report", "C02", None),
        },
    },
]


def create_plans(apps, schema_editor):
    ResponsePlan = apps.get_model("plans", "ResponsePlan")
    DeadlineRule = apps.get_model("plans", "DeadlineRule")
    EscalationStep = apps.get_model("plans", "EscalationStep")
    now = timezone.now()
    for spec in PLANS:
        plan = ResponsePlan.objects.create(
            family=spec["family"], version=1, name=spec["name"], is_default=spec["is_default"],
            change_note=spec["change_note"], published_at=now)
        for kind, amount, unit, anchor, clause, urgent_amount in DEFAULT_RULES:
            amount, unit, anchor, clause, urgent_amount = spec["overrides"].get(
                kind, (amount, unit, anchor, clause, urgent_amount))
            DeadlineRule.objects.create(plan=plan, kind=kind, amount=amount, unit=unit,
                                        anchor=anchor, clause=clause, urgent_amount=urgent_amount)
        for level, audience, delay in DEFAULT_LADDER:
            EscalationStep.objects.create(plan=plan, level=level, audience=audience,
                                          delay_minutes=delay)


def remove_plans(apps, schema_editor):
    apps.get_model("plans", "ResponsePlan").objects.filter(
        family__in=[spec["family"] for spec in PLANS], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(create_plans, remove_plans)]
