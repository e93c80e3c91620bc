"""The incident page for judgement: the playbook checklist (C10a–d) and its step form, the
metrics form with heat index and stage (C07, C08), bad input refused with nothing stored."""
import pytest
from django.urls import reverse

from incidents.models import Event, MetricSnapshot
from plans.models import DeadlineKind
from tests.incidents.helpers import classify, detect, report

pytestmark = pytest.mark.django_db


def step_url(incident, verb):
    return reverse("incident-step", args=[incident.pk, verb])


def _judged(org, category="inquiry"):
    incident = detect(org)
    report(org, incident)
    return classify(org, incident, category=category)


def test_c10a_incident_page_shows_the_playbook_checklist_and_completes_a_step(client, org):
    incident = _judged(org)
    client.force_login(org.staff.user)
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert "分类处置清单" in page and "责任部门当日提出处理意见" in page
    assert "统一答复经责任部门负责人审定后回复网民" in page
    assert 'id="step-playbook_step"' in page
    response = client.post(step_url(incident, "playbook_step"),
                           {"playbook_step-step": "1", "playbook_step-note": "已提出处理意见"})
    assert response.status_code in (200, 302), response.content.decode()[:500]
    row = incident.deadlines.get(kind=DeadlineKind.PLAYBOOK_STEP, sequence=1)
    assert row.met_at is not None
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert "☑" in page


def test_c07_metrics_form_on_the_page_with_heat_index_and_stage(client, org):
    incident = _judged(org)
    client.force_login(org.staff.user)
    page = client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    assert 'id="step-metrics"' in page
    form = client.get(reverse("incident-step-form", args=[incident.pk, "metrics"]))
    assert form.status_code == 200
    assert 'name="metrics-heat_index"' in form.content.decode()
    assert 'name="metrics-stage"' in form.content.decode()
    response = client.post(step_url(incident, "metrics"), {
        "metrics-clicks": "1200", "metrics-comments": "30", "metrics-mainstream_sites": "0",
        "metrics-follow_up_posts": "10", "metrics-heat_index": "76.5",
        "metrics-stage": "outbreak"})
    assert response.status_code in (200, 302), response.content.decode()[:500]
    snapshot = MetricSnapshot.objects.get(incident=incident)
    assert str(snapshot.heat_index) == "76.50" and snapshot.stage == "outbreak"
    incident.refresh_from_db()
    # The rise made it major by the plan's rule (C08), and the timeline says which rule.
    assert incident.severity == "major"
    upgrade = incident.timeline.get(event=Event.SEVERITY_UPGRADED)
    assert "点击量 1200 ≥ 1000" in upgrade.note and upgrade.actor is None


@pytest.mark.parametrize("field,value", [
    ("metrics-clicks", "-5"), ("metrics-comments", "99999999999"),
    ("metrics-heat_index", "-1"), ("metrics-stage", "unknown"),
    ("metrics-occurred_at", "2099-01-01T10:00:00+08:00"),
])
def test_c07_bad_metrics_on_the_page_are_a_400_and_nothing_is_stored(client, org, field, value):
    incident = _judged(org)
    client.force_login(org.staff.user)
    data = {"metrics-clicks": "10", "metrics-comments": "1", "metrics-mainstream_sites": "0",
            "metrics-stage": "latent"}
    data[field] = value
    response = client.post(step_url(incident, "metrics"), data)
    assert response.status_code == 400
    assert not MetricSnapshot.objects.filter(incident=incident).exists()


def test_c07_stage_going_back_on_the_page_needs_a_reason(client, org):
    incident = _judged(org)
    client.force_login(org.staff.user)
    base = {"metrics-clicks": "10", "metrics-comments": "1", "metrics-mainstream_sites": "0"}
    assert client.post(step_url(incident, "metrics"),
                       {**base, "metrics-stage": "ending"}).status_code in (200, 302)
    response = client.post(step_url(incident, "metrics"), {**base, "metrics-stage": "outbreak"})
    assert response.status_code == 400 and "请说明原因" in response.content.decode()
    assert MetricSnapshot.objects.filter(incident=incident).count() == 1
    assert client.post(step_url(incident, "metrics"), {
        **base, "metrics-stage": "outbreak", "metrics-stage_reason": "反弹：新视频流出"}
    ).status_code in (200, 302)
    latest = MetricSnapshot.objects.filter(incident=incident).latest("id")
    assert latest.stage_reason == "反弹：新视频流出"
