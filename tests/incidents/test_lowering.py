"""C08: lowering a severity below what the rules reached: only the office, with a reason; the
timeline names whom and the rule overridden."""
import pytest

from incidents import actions
from incidents.classification import Heat
from incidents.models import Event
from opinion_ops.errors import InvalidInput, NotPermitted
from tests.incidents.helpers import detect, events, report

pytestmark = pytest.mark.django_db


def _major_by_rule(org):
    incident = detect(org)
    report(org, incident)
    return actions.classify_incident(incident, org.staff.user, category="inquiry",
                                     heat=Heat(clicks=1500))


def test_c08_only_the_office_lowers_below_the_rule_with_a_reason(org):
    incident = _major_by_rule(org)
    assert incident.severity == "major"
    with pytest.raises(NotPermitted):
        actions.lower_severity(incident, org.leader.user, severity="general", reason="误判")
    with pytest.raises(InvalidInput) as exc:
        actions.lower_severity(incident, org.staff.user, severity="general", reason=" ")
    assert "reason" in exc.value.errors
    with pytest.raises(InvalidInput):
        actions.lower_severity(incident, org.staff.user, severity="especially_major", reason="x")
    incident = actions.lower_severity(incident, org.staff.user, severity="general",
                                      reason="点击量系刷量，经核实实际关注度低")
    assert incident.severity == "general"
    [entry] = events(incident, Event.SEVERITY_LOWERED)
    assert entry.actor == org.staff.user and entry.clause == "C08"
    assert "赵干事" in entry.note and "点击量 1500 ≥ 1000" in entry.note


def test_c08_downgrade_api_refuses_without_reason_and_stores_nothing(org, client):
    incident = _major_by_rule(org)
    client.force_login(org.staff.user)
    url = f"/api/v1/incidents/{incident.pk}/downgrade/"
    assert client.post(url, {"severity": "general"},
                       content_type="application/json").status_code == 400
    incident.refresh_from_db()
    assert incident.severity == "major" and not events(incident, Event.SEVERITY_LOWERED)
    assert client.post(url, {"severity": "general", "reason": "核实后降级"},
                       content_type="application/json").status_code == 200
