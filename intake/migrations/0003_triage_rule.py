"""The triage window of a lead (C06) as plan data: a rule of kind lead_triage, 30 minutes from
arrival, in every shipped plan that has none. It lives with intake because the obligation exists
only where leads do; an office edits it in its plan like any other window."""
from django.db import migrations

TRIAGE = {"kind": "lead_triage", "amount": 30, "unit": "minutes",
          "anchor": "obligation_start", "clause": "C06"}


def add_rule(apps, schema_editor):
    ResponsePlan = apps.get_model("plans", "ResponsePlan")
    DeadlineRule = apps.get_model("plans", "DeadlineRule")
    for plan in ResponsePlan.objects.all():
        if not DeadlineRule.objects.filter(plan=plan, kind=TRIAGE["kind"]).exists():
            DeadlineRule.objects.create(plan=plan, **TRIAGE)


def remove_rule(apps, schema_editor):
    apps.get_model("plans", "DeadlineRule").objects.filter(kind=TRIAGE["kind"]).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_role_permissions"), ("plans", "0002_shipped_plans")]
    operations = [migrations.RunPython(add_rule, remove_rule)]
