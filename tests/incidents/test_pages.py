"""The pages people use: Chinese by default, English on request; every verb goes through the
actions, and a refused step shows why without losing what was typed."""
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from plans.models import DeadlineKind
from incidents.models import Event, Incident, State
from tests.incidents.helpers import classify, deadline, detect, report
from tests.support.responding import answer_approved
from tests.support.reviewing import review_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty_client(client, org):
    client.force_login(org.duty.user)
    return client


def step_url(incident, verb):
    return reverse("incident-step", args=[incident.pk, verb])


def test_login_page_renders_in_chinese_by_default(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "网络舆情应急处置系统" in page and "用户名" in page and "密码" in page
    assert "/i18n/setlang/" in page


def test_login_page_renders_in_english_with_accept_language(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page
    assert "Online Public-Opinion Incident Response" in page and "Username" in page
    assert "用户名" not in page


def test_language_cookie_switches_pages_to_english(duty_client):
    duty_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert duty_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = duty_client.get(reverse("incident-list")).content.decode()
    assert 'lang="en"' in page and "Public-opinion incidents" in page


def test_pages_require_login(client, org):
    incident = detect(org)
    for url in ["/", reverse("incident-detail", args=[incident.pk]), reverse("incident-new")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_demo_user_logs_in_and_sees_list_and_detail(client):
    from django.core.management import call_command
    from io import StringIO
    call_command("seed_demo", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": "office", "password": "demo-pass-123"})
    assert response.status_code == 302 and response.url == "/"
    listing = client.get("/").content.decode()
    assert "网传市第七中学食堂饭菜变质致多名学生腹泻" in listing
    assert "deadline-line overdue" in listing  # the overdue report, in red (the office's board)
    assert "/admin/" in listing and "/api/docs/" in listing
    for incident in Incident.objects.all():
        page = client.get(reverse("incident-detail", args=[incident.pk]))
        assert page.status_code == 200
        assert incident.title in page.content.decode()


def test_incident_list_filters_by_state_and_severity(duty_client, org):
    fresh = detect(org, title="刚发现的帖子")
    judged = detect(org, title="已研判的帖子")
    report(org, judged)
    classify(org, judged, severity="major")
    by_state = duty_client.get(reverse("incident-list"), {"state": "detected"}).content.decode()
    assert fresh.title in by_state and judged.title not in by_state
    by_severity = duty_client.get(reverse("incident-list"), {"severity": "major"}).content.decode()
    assert judged.title in by_severity and fresh.title not in by_severity


def test_detail_shows_times_in_the_office_time_zone(duty_client, org):
    incident = detect(org)
    page = duty_client.get(reverse("incident-detail", args=[incident.pk])).content.decode()
    local = timezone.localtime(incident.discovered_at, timezone.get_fixed_timezone(480))
    assert local.strftime("%Y-%m-%d %H:%M") in page
    assert "Asia/Shanghai" in page
    assert "登记发现" in page and "向舆情办报告" in page  # timeline and deadlines


def test_c01_report_without_recipient_shows_the_error_and_stores_nothing(duty_client, org):
    incident = detect(org)
    entries = incident.timeline.count()
    response = duty_client.post(step_url(incident, "report"), {
        "report-channel": "phone", "report-note": "已电话告知值班室",
        "report-revision": incident.revision})
    assert response.status_code == 400
    page = response.content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    assert "已电话告知值班室" in page  # what was typed is still there
    incident.refresh_from_db()
    assert incident.state == State.DETECTED and incident.timeline.count() == entries


def test_c01_report_form_reports_through_the_action(duty_client, org):
    incident = detect(org)
    response = duty_client.post(step_url(incident, "report"), {
        "report-channel": "phone", "report-recipient": "舆情办值班室",
        "report-revision": incident.revision})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.state == State.REPORTED
    assert incident.timeline.get(event=Event.REPORTED).recipient == "舆情办值班室"
    assert deadline(incident, DeadlineKind.REPORT).met_at is not None


def test_c02_verbal_report_form_records_the_phone_call(duty_client, org):
    incident = detect(org, urgent=True)
    response = duty_client.post(step_url(incident, "verbal_report"), {
        "verbal_report-recipient": "领导小组 王组长", "verbal_report-note": "学生已送医"})
    assert response.status_code == 302
    assert deadline(incident, DeadlineKind.VERBAL_REPORT).met_at is not None


def test_step_refused_by_state_is_409_with_the_reason(client, org):
    client.force_login(org.staff.user)
    incident = detect(org)
    response = client.post(step_url(incident, "classify"), {
        "classify-category": "inquiry", "classify-severity": "general"})
    assert response.status_code == 409
    assert "不能执行 classify" in response.content.decode()
    incident.refresh_from_db()
    assert incident.state == State.DETECTED


def test_step_refused_by_role_is_403(client, org):
    client.force_login(org.spokesperson.user)
    incident = detect(org)
    response = client.post(step_url(incident, "report"), {
        "report-channel": "phone", "report-recipient": "舆情办"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.state == State.DETECTED


def test_stale_revision_is_409_and_keeps_the_input(duty_client, org):
    incident = detect(org)
    response = duty_client.post(step_url(incident, "report"), {
        "report-channel": "written", "report-recipient": "舆情办值班室",
        "report-revision": incident.revision - 1 if incident.revision > 1 else 99})
    assert response.status_code == 409
    assert "舆情办值班室" in response.content.decode()


def test_classify_without_severity_or_heat_maps_the_action_error_to_the_field(client, org):
    client.force_login(org.staff.user)
    incident = detect(org)
    report(org, incident)
    response = client.post(step_url(incident, "classify"), {"classify-category": "inquiry"})
    assert response.status_code == 400
    assert "请填写级别或传播数据" in response.content.decode()


def test_respond_review_and_dismiss_forms(client, org):
    client.force_login(org.leader.user)
    first, second = detect(org), detect(org, title="外地旧闻")
    report(org, first)
    classify(org, first)
    answer_approved(org, first)
    assert client.post(step_url(first, "respond"), {
        "respond-response": "已统一答复", "respond-channel": "written"}).status_code == 302
    assert client.post(step_url(first, "summary"), {
        "summary-recipient": "领导小组", "summary-channel": "written"}).status_code == 302
    review_recorded(org, first)
    assert client.post(step_url(first, "review"), {
        "review-findings": "按时办结"}).status_code == 302
    assert client.post(step_url(second, "dismiss"), {
        "dismiss-note": "外地旧闻"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (State.REVIEWED, State.DISMISSED)


def test_c06_new_incident_page_logs_through_detect(duty_client, org):
    local = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = duty_client.post(reverse("incident-new"), {
        "title": "网传某校周边交通事故", "summary": "短视频", "source_url": "https://example.com/v/2",
        "platform": "抖音", "discovered_at": local, "urgent": "on"})
    assert response.status_code == 302
    incident = Incident.objects.get(title="网传某校周边交通事故")
    assert incident.discovered_by == org.duty
    assert deadline(incident, DeadlineKind.VERBAL_REPORT).clause == "C02"
