"""Plans are versioned data; incidents keep the version they started with."""
from datetime import timedelta

import pytest

from opinion_ops.errors import InvalidInput
from plans.models import DeadlineKind, ResponsePlan
from plans.versions import publish, revise_plan, start_revision
from tests.incidents.helpers import deadline, detect

pytestmark = pytest.mark.django_db


def test_shipped_plans_carry_the_clauses_numbers():
    default = ResponsePlan.objects.current().get(family="default")
    rules = {r.kind: (r.amount, r.unit, r.clause) for r in default.rules.all()}
    assert rules[DeadlineKind.REPORT] == (2, "hours", "C01")
    assert rules[DeadlineKind.VERBAL_REPORT] == (30, "minutes", "C02")
    assert rules[DeadlineKind.WRITTEN_REPORT] == (90, "minutes", "C02")
    assert rules[DeadlineKind.SUMMARY] == (3, "calendar_days", "C19")
    referral = default.rule_for(DeadlineKind.REFERRAL_REPLY)
    assert (referral.amount, referral.urgent_amount, default.referral_reply_limit_days) == (3, 2, 5)
    assert (default.major_clicks, default.especially_major_clicks) == (1000, 3000)
    one_hour = ResponsePlan.objects.current().get(family="one-hour")
    assert one_hour.rule_for(DeadlineKind.REPORT).amount == 1
    assert one_hour.rule_for(DeadlineKind.REPORT).clause == "C03"


def test_c03_plan_edit_creates_a_new_version_and_keeps_the_old(org):
    plan = ResponsePlan.objects.current().get(family="default")
    incident = detect(org)
    new = revise_plan(plan, values={"major_clicks": 800},
                      rules={"report": {"amount": 1}}, change_note="本单位改为 1 小时")
    plan.refresh_from_db()
    assert new.version == plan.version + 1 and new.family == plan.family
    assert plan.superseded_at is not None and new.superseded_at is None
    assert plan.rule_for("report").amount == 2 and new.rule_for("report").amount == 1
    assert plan.major_clicks == 1000 and new.major_clicks == 800
    assert new.ladder.count() == plan.ladder.count()
    assert ResponsePlan.objects.current().get(family="default") == new
    incident.refresh_from_db()
    assert incident.plan == plan
    row = deadline(incident, DeadlineKind.REPORT)
    assert row.due_at == incident.discovered_at + timedelta(hours=2)
    assert detect(org).plan == new


def test_draft_is_not_current_until_published():
    plan = ResponsePlan.objects.current().get(family="default")
    draft = start_revision(plan)
    assert ResponsePlan.objects.current().get(family="default") == plan
    publish(draft, "发布")
    assert ResponsePlan.objects.current().get(family="default") == draft
    with pytest.raises(InvalidInput):
        publish(draft)


def test_revise_plan_rejects_unknown_fields():
    plan = ResponsePlan.objects.current().get(family="default")
    with pytest.raises(InvalidInput):
        revise_plan(plan, values={"family": "other"})
    assert ResponsePlan.objects.filter(family="default").count() == 1
