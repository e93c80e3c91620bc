"""Each role logs in and does its main job in Chromium, checking what is on the screen."""
import re
import time
from datetime import datetime, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from briefings import generation
from briefings.models import Briefing
from incidents import durations, verbs
from incidents.models import Incident, State
from plans.models import DeadlineKind
from tests.browser.conftest import PHONE, open_step
from tests.support import console_office

ROLES = ["admin", "office", "leader", "duty", "handler", "spokesperson", "auditor"]


def step_cards(page) -> set[str]:
    return {card.get_attribute("id").removeprefix("step-")
            for card in page.locator("[id^=step-]").all()}


def test_duty_officer_logs_and_reports_an_incident_within_a_minute_of_logging_in(
        office, session):
    """The issue's "done when": from the login page, by what the screen says (labels and
    buttons, no field names), to the incident reported to the office by phone (C01, C02)."""
    browser = session()
    page = browser.page
    page.goto("/")
    started = time.monotonic()
    page.get_by_label("用户名").fill(office.users["duty"].get_username())
    page.get_by_label("密码").fill(console_office.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1")).to_have_text("值班工作台")
    log = page.locator("#log-incident")
    assert log.get_by_label("发现时间").input_value().startswith(
        timezone.localtime().strftime("%Y-%m-%dT"))
    browser.shot("duty-home")
    log.get_by_label("标题").fill("网传某校宿舍楼夜间停电")
    log.get_by_label("概要").fill("学生在微博发帖称宿舍楼停电三小时。")
    log.get_by_label("原帖链接").fill("https://weibo.com/1234/Pq9")
    log.get_by_label("平台").fill("微博")
    log.get_by_role("button", name="登记并开始计时").click()
    expect(page.locator(".messages .success")).to_contain_text("已登记舆情")
    expect(page.locator("h1")).to_contain_text("网传某校宿舍楼夜间停电")
    # Discovered "now" to the minute (the form's default): a little under 2 hours are left.
    expect(page.locator(".countdown").first).to_have_text(re.compile(r"^剩1小时5\d分$"))
    browser.shot("duty-incident-logged")
    assert "classify" not in step_cards(page) and "dismiss" not in step_cards(page)
    # Each verb is a button; pressing it brings its form into the page, without a reload.
    loaded = page.evaluate("performance.timeOrigin")
    report = open_step(page, "report")
    assert page.evaluate("performance.timeOrigin") == loaded
    browser.shot("duty-incident-report-form")
    report.get_by_label("方式").select_option(label="电话")
    report.get_by_label("报送对象").fill("舆情办 赵干事")
    report.get_by_role("button").click()
    expect(page.locator(".messages .success")).to_contain_text("已完成")
    expect(page.locator("h1 .badge").first).to_have_text("已报告")
    elapsed = time.monotonic() - started
    browser.shot("duty-incident-reported")
    assert elapsed < 60, f"logging and reporting took {elapsed:.0f} s"
    incident = Incident.objects.get(title="网传某校宿舍楼夜间停电")
    assert incident.state == State.REPORTED
    assert incident.deadlines.get(kind=DeadlineKind.REPORT).state == "met"


def test_the_discovery_time_defaults_to_now_in_the_office_time_zone(office, session):
    browser = session()
    browser.log_in(office.users["duty"])
    field = browser.page.get_by_label("发现时间")
    assert field.get_attribute("type") == "datetime-local"
    # The browser runs on Asia/Shanghai, as the office does: the field's value is its wall clock.
    shown = field.input_value()
    browser_now = browser.page.evaluate(
        "(() => { const d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
        " return d.toISOString().slice(0, 16); })()")
    office_now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert abs(datetime.fromisoformat(shown) - datetime.fromisoformat(office_now)) <= timedelta(
        minutes=1), (shown, office_now)
    assert abs(datetime.fromisoformat(shown) - datetime.fromisoformat(browser_now)) <= timedelta(
        minutes=1), (shown, browser_now)
    expect(browser.page.locator("label[for=%s]" % field.get_attribute("id"))).to_have_text(
        "发现时间：")


def test_duty_officer_home_fits_a_phone(office, session):
    browser = session(PHONE)
    browser.log_in(office.users["duty"])
    width = browser.page.evaluate("document.documentElement.scrollWidth")
    browser.shot("duty-home-phone")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def test_office_searches_the_board_and_classifies_a_reported_incident(office, session):
    browser = session()
    page = browser.page
    browser.log_in(office.users["office"])
    expect(page.locator("h1")).to_contain_text("舆情看板")
    detected = page.locator("section", has=page.locator("#column-detected"))
    expect(detected.locator(".board-card").first).to_have_class(re.compile("overdue"))
    expect(detected.locator(".board-card").first.locator(".countdown")).to_contain_text("已超时")
    browser.shot("office-board")
    page.fill("input[name=q]", "七中")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".board-card")).to_have_count(1)
    page.fill("input[name=q]", "")
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=re.compile(office.reported.title)).click()
    classify = open_step(page, "classify")
    classify.get_by_label("内容类别").select_option("inquiry")
    classify.get_by_label("级别").select_option("general")
    classify.get_by_role("button").click()
    expect(page.locator(".messages .success")).to_contain_text("已完成")
    browser.shot("office-incident-classified")
    office.reported.refresh_from_db()
    assert office.reported.state == State.CLASSIFIED


def test_leadership_sees_the_major_incident_and_opens_it(office, session):
    browser = session()
    page = browser.page
    browser.log_in(office.users["leader"])
    expect(page.locator("h1")).to_have_text("领导工作台")
    browser.shot("leader-home")
    page.get_by_role("link", name=office.major.title).first.click()
    expect(page.locator("h1")).to_contain_text("重大")
    assert "report" not in step_cards(page)
    browser.shot("leader-incident")


def test_auditor_opens_the_audit_pages_from_home(office, session):
    browser = session()
    page = browser.page
    browser.log_in(office.users["auditor"])
    expect(page.locator("h1")).to_have_text("审计工作台")
    browser.shot("auditor-home")
    page.get_by_role("link", name="问责认定").first.click()
    expect(page.locator("h1")).to_contain_text("问责认定")
    page.goto(f"/incidents/{office.urgent.pk}/")
    assert step_cards(page) == set()


def test_handler_and_spokesperson_see_their_open_work(office, session):
    for role in ("handler", "spokesperson"):
        browser = session()
        browser.log_in(office.users[role])
        expect(browser.page.locator("h1")).to_have_text("我的待办")
        browser.shot(f"{role}-home")


def test_no_role_sees_a_form_it_cannot_use(office, session):
    """Each role sees a button for exactly the verbs it may perform now, and from its own
    session can fetch the form of those alone: any other verb's form is refused."""
    incidents = [office.urgent, office.overdue, office.reported, office.major, office.general]
    for role in ROLES:
        browser = session()
        browser.log_in(office.users[role])
        user = office.users[role]
        for incident in incidents:
            browser.page.goto(f"/incidents/{incident.pk}/")
            incident.refresh_from_db()
            allowed = {verb.slug for verb in verbs.page_actions(incident, user)}
            shown = step_cards(browser.page)
            assert shown == allowed, (role, incident.title, shown, allowed)
            assert all(verbs.may(user, verbs.BY_SLUG[slug], incident) for slug in shown)
            for verb in verbs.REGISTRY.values():
                fetched = browser.page.request.get(
                    f"/incidents/{incident.pk}/{verb.slug}/form/", max_redirects=0)
                usable = verbs.may(user, verb, incident)
                assert (fetched.status == 200) == usable, (role, incident.title, verb.name,
                                                           fetched.status)
                if not usable:
                    assert f'name="{verb.slug}-' not in fetched.text(), (role, verb.name)
        browser.context.close()


def test_the_countdown_turns_red_when_the_deadline_passes(office, session, settings):
    verbal = office.urgent.deadlines.get(kind=DeadlineKind.VERBAL_REPORT)
    # The page's clock starts three seconds before the verbal report (C02) falls due.
    settings.CONSOLE_CLOCK_SHIFT_SECONDS = (verbal.due_at - timezone.now()).total_seconds() - 3
    browser = session()
    page = browser.page
    browser.log_in(office.users["duty"])
    page.goto(f"/incidents/{office.urgent.pk}/")
    clock = page.locator(f".countdown[data-due='{round(verbal.due_at.timestamp() * 1000)}']")
    expect(clock).to_have_class(re.compile("warning"))
    expect(clock).to_have_text(re.compile(r"^剩\d秒$"))
    browser.shot("countdown-warning")
    expect(clock).to_have_class(re.compile("overdue"), timeout=8_000)
    expect(clock).to_have_text(re.compile(r"^已超时\d+秒$"))
    expect(page.locator("tr", has=clock)).to_have_class(re.compile("overdue"))
    browser.shot("countdown-overdue")


def test_the_countdown_script_says_a_span_as_the_python_helper_does(office, session):
    browser = session()
    browser.log_in(office.users["duty"])
    now = timezone.now()
    for seconds in [46, 29 * 60 + 46, 90 * 60, 2 * 86400 + 3 * 3600 + 5, 3 * 86400, -7 * 60,
                    -(2 * 86400 + 3 * 3600)]:
        said = browser.page.evaluate(
            "s => OpinionOpsCountdown.until("
            "JSON.parse(document.getElementById('duration-words').textContent), s)", seconds)
        assert said == durations.until(now + timedelta(seconds=seconds), now,
                                       seconds_shown=True), seconds


def test_the_api_docs_work_offline(office, session):
    browser = session()
    page = browser.page
    browser.log_in(office.users["admin"])
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OpinionOps API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=str(browser.folder / "api-docs.png"))  # the first screen


def test_a_generated_document_appears_on_the_incident_page_without_a_reload(
        office, session, monkeypatch):
    monkeypatch.setattr(generation, "_enqueue", lambda briefing_id: None)  # the worker is late
    browser = session()
    page = browser.page
    browser.log_in(office.users["office"])
    page.goto(f"/incidents/{office.reported.pk}/")
    page.get_by_label("文稿类型").select_option(label="书面报告")
    page.get_by_role("button", name="生成文稿").click()
    rows = page.locator("#briefing-rows")
    expect(rows).to_contain_text("排队生成")
    expect(rows.get_by_role("link", name="下载 PDF")).to_have_count(0)
    loaded = page.evaluate("performance.timeOrigin")
    generation.generate_briefing(Briefing.objects.get(incident=office.reported).pk)
    expect(rows.get_by_role("link", name="下载 PDF")).to_be_visible(timeout=8_000)
    assert page.evaluate("performance.timeOrigin") == loaded  # the same page, not reloaded
    browser.shot("office-incident-document-ready")


def test_the_incident_page_on_a_phone(office, session):
    browser = session(PHONE)
    browser.log_in(office.users["duty"])
    browser.page.goto(f"/incidents/{office.urgent.pk}/")
    expect(browser.page.locator("#step-report")).to_be_visible()
    browser.shot("duty-incident-phone")
    open_step(browser.page, "report")
    browser.shot("duty-incident-report-form-phone")
    # What is left of each deadline is on the screen, not scrolled off to the right.
    clock = browser.page.locator(".deadline-table .countdown").first
    box = clock.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    width = browser.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def test_a_new_delivery_appears_on_the_incident_page_without_a_reload(office, session):
    from tests.console.test_incident_page import delivery
    browser = session()
    page = browser.page
    browser.log_in(office.users["office"])
    page.goto(f"/incidents/{office.urgent.pk}/")
    # htmx from this server, as base.html configures it: no eval, no styles of its own.
    assert page.evaluate("htmx.version").startswith("2.")
    assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [
        False, False]
    section = page.locator("#incident-deliveries")
    expect(section).to_contain_text("暂无投递记录")
    loaded = page.evaluate("performance.timeOrigin")
    delivery(office.urgent, office.org.leader)
    expect(section.locator("tr.delivery")).to_have_count(1, timeout=8_000)
    expect(section).to_contain_text("13800000000")
    assert page.evaluate("performance.timeOrigin") == loaded  # the same page, not reloaded
    browser.shot("office-incident-delivery-live")
