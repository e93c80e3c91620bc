"""Each document kind from a demo-like incident: the PDF parses, reads like the record, and
survives long titles, huge timelines, emoji and empty sections."""
import io
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine

from briefings import generation
from briefings.documents.common import Request
from briefings.models import Briefing, BriefingTemplate
from incidents import actions
from notifications import ladder as escalation
from incidents.actions import Step
from incidents.classification import Heat
from incidents.models import Channel, Deadline, Escalation, Event, TimelineEntry
from plans.models import DeadlineKind
from tests.factories import incident_kwargs
from tests.support.sweeping import sweep_all
from tests.support.responding import answer_approved, hold_major_procedure
from tests.support.reviewing import review_recorded

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
TITLE = "网传市第七中学食堂饭菜变质致多名学生腹泻"


class Story:
    """An urgent incident worked through the plan, one clock move per step."""

    def __init__(self, org, traveller):
        self.org, self.traveller = org, traveller

    def at(self, **delta):
        self.traveller.move_to(T0 + timedelta(**delta))

    def detect(self, title=TITLE, **overrides):
        self.at()
        values = incident_kwargs(
            title=title, discovered_at=T0, urgent=True, platform="抖音",
            summary="抖音用户“七中家长群”发布视频称市第七中学食堂午餐饭菜有异味，多名学生下午出现腹泻。",
            source_url="https://www.douyin.com/video/7301234567890",
            source_links=["https://weibo.com/5512345678/Nabc123"])
        values.update(overrides)
        self.incident = actions.detect_incident(self.org.duty.user, **values)
        return self.incident

    def refresh(self):
        self.incident.refresh_from_db()
        return self.incident

    def until_written_report(self):
        org, incident = self.org, self.detect()
        self.at(minutes=20)
        actions.record_verbal_report(incident, org.duty.user, Step(
            channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话汇报视频内容及初步核实情况"))
        self.at(minutes=25)
        actions.report_incident(incident, org.duty.user, Step(
            channel=Channel.PHONE, recipient="舆情办 赵干事", note="报告舆情办并通知后勤保障处"))
        self.at(minutes=40)
        actions.classify_incident(incident, org.staff.user, category="hype", stage="outbreak",
                                  heat=Heat(clicks=1500, comments=120, mainstream_sites=2),
                                  step=Step(note="研判为恶意炒作类重大舆情"))
        hold_major_procedure(org, incident)  # C14: the meeting and the spokesperson, at once
        self.at(minutes=60)
        actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=2400, comments=300,
                                                                  mainstream_sites=3),
                               stage="outbreak", follow_up_posts=180, cause="食堂饭菜异味",
                               attention="食品安全")
        self.at(minutes=75)
        return self.refresh()

    def until_follow_up(self):
        org, incident = self.org, self.until_written_report()
        actions.file_written_report(incident, org.staff.user, Step(
            recipient="领导小组 王组长", note="书面报告已报送"))
        self.at(hours=2, minutes=50)
        sweep_all()  # the superior report (due 11:40) is breached
        self.at(hours=2, minutes=55)
        ladder = Escalation.objects.get(deadline__incident=incident,
                                        deadline__kind=DeadlineKind.SUPERIOR_REPORT)
        escalation.acknowledge(ladder, org.staff.user, via="web")
        self.at(hours=3, minutes=5)
        actions.report_to_superior(incident, org.staff.user, Step(
            channel=Channel.WRITTEN, recipient="市教育局 吴科长", note="书面报告上级主管部门"))
        self.at(hours=4)
        actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=3100, comments=520,
                                                                  mainstream_sites=6),
                               stage="persistent", follow_up_posts=410)
        self.at(hours=4, minutes=30)
        actions.file_follow_up_report(incident, org.staff.user, Step(
            channel=Channel.WRITTEN, recipient="领导小组", note="第1次续报：已约谈食堂承包方"))
        self.at(hours=6)
        actions.record_metrics(incident, org.duty.user, heat=Heat(clicks=3600, comments=610,
                                                                  mainstream_sites=7),
                               stage="persistent", follow_up_posts=450, attention="检测结果")
        self.at(hours=8)
        return self.refresh()

    def until_summary(self):
        org, incident = self.org, self.until_follow_up()
        self.at(hours=8, minutes=45)
        sweep_all()  # follow-up #2 (due 17:30) is breached and never sent: 漏报
        self.at(hours=9)
        answer_approved(org, incident)
        actions.respond_incident(incident, org.spokesperson.user, Step(note="官方账号发布情况通报"),
                                 response="经检测，涉事批次饭菜未检出致病菌，学生均已康复返校。")
        self.at(hours=10)  # C18, C22: resolved before the first bulletin falls due
        actions.resolve_incident(incident, org.staff.user, step=Step(note="跟踪确认已化解"))
        self.at(days=1, hours=2)
        return self.refresh()

    def reviewed(self):
        org, incident = self.org, self.until_summary()
        actions.file_summary(incident, org.staff.user, Step(recipient="领导小组"))
        self.at(days=2)
        review_recorded(org, incident)
        actions.review_incident(incident, org.leader.user, Step(note="复盘会议"),
                                findings="上报上级主管部门迟25分钟，第2次续报漏报，值班交接须改进。")
        self.at(days=2, hours=1)
        return self.refresh()


@pytest.fixture
def story(org):
    with time_machine.travel(T0, tick=False) as traveller:
        yield Story(org, traveller)


def render(kind, incident=None, language="zh-hans", number="舆情办〔2026〕7号", **fields):
    template = BriefingTemplate.default()
    request = Request(template=template, language=language, document_number=number,
                      incident=incident, **fields)
    rendered = generation.render(kind, request)
    _keep(kind, rendered.pdf)
    return rendered


def _keep(kind, pdf):
    """Set BRIEFINGS_KEEP_PDFS=/some/dir to look at the documents the tests make."""
    folder = os.environ.get("BRIEFINGS_KEEP_PDFS")
    if folder:
        with open(os.path.join(folder, f"{kind}.pdf"), "wb") as handle:
            handle.write(pdf)


def text_of(rendered):
    """The PDF's text with line breaks and spaces removed, as a reader would search it."""
    reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
    assert len(reader.pages) == rendered.pages
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def flat(text):
    return "".join(text.split())


def steps_of(incident):
    return list(TimelineEntry.objects.filter(
        incident=incident, event__in=[
            Event.REPORTED, Event.VERBAL_REPORT, Event.WRITTEN_REPORT, Event.FOLLOW_UP_REPORT,
            Event.SUPERIOR_REPORT, Event.CLASSIFIED, Event.SEVERITY_UPGRADED, Event.RESPONDED,
            Event.BRIEFING_FILED, Event.REVIEWED]))


def test_c02_written_report_tells_what_happened_and_how_it_was_classified(story):
    incident = story.until_written_report()
    rendered = render("written_report", incident)
    text = text_of(rendered)
    assert 2 <= rendered.pages <= 5
    for expected in (f"关于“{TITLE}”网络舆情的报告", "舆情办〔2026〕7号", "网络舆情应急处置工作领导小组",
                     "https://www.douyin.com/video/7301234567890", "抖音", "重大",
                     flat(incident.severity_rule), "恶意传播、炒作类", "表1传播数据", "图1传播趋势",
                     "2026年3月2日9:00", "下一步工作"):
        assert flat(expected) in text, expected
    for entry in steps_of(incident):
        assert flat(entry.note or entry.get_event_display()) in text
    assert "紧急书面汇报" in text and "待履行" in text


def test_c05_follow_up_is_numbered_and_tells_what_changed_since_last_report(story):
    incident = story.until_follow_up()
    rendered = render("follow_up", incident, follow_up_number=None)
    text = text_of(rendered)
    assert f"关于“{TITLE}”网络舆情的第2次续报" in text
    assert "点击量由3,100变为3,600（+500）" in text
    assert "第1次续报：已约谈食堂承包方" not in text.split("最新进展")[0]
    assert "书面报告上级主管部门" not in text  # filed before the previous follow-up


def test_c19_summary_lists_deadlines_met_or_missed(story):
    incident = story.reviewed()
    rendered = render("summary", incident)
    text = text_of(rendered)
    assert f"关于“{TITLE}”网络舆情处置情况的总结报告" in text
    assert "按时（提前10分钟）" in text  # verbal report at 9:20, due 9:30
    assert "逾期（迟25分钟）" in text  # superior report at 12:05, due 11:40
    assert "未履行（已超时" in text  # follow-up #2, never sent
    assert "经检测，涉事批次饭菜未检出致病菌" in text
    assert "值班交接须改进" in text
    for entry in incident.timeline.all():
        assert flat(entry.note or entry.get_event_display())[:40] in text


def test_c21_audit_finds_late_and_missed_reports(story):
    incident = story.reviewed()
    text = text_of(render("audit", incident))
    assert "迟报1项" in text and "漏报1项" in text
    assert "向上级主管部门报告" in text and "迟25分钟" in text
    assert "L1责任人" in text  # the superior report's ladder reached its first rung
    assert "赵干事" in text  # and the office acknowledged it


def test_c21_audit_report_prints_the_confirmed_findings_with_who_confirmed_them(story, org):
    from audit.actions import confirm_finding, dismiss_finding
    from audit.findings import refresh_findings
    from audit.models import Finding

    incident = story.reviewed()
    refresh_findings([incident.pk])
    late = Finding.objects.filter(incident=incident, kind=Finding.Kind.LATE).first()
    confirm_finding(late, org.auditor.user, reason="交接班延误，无正当理由")
    others = Finding.objects.filter(incident=incident, status=Finding.Status.OPEN)
    dismiss_finding(others.first(), org.auditor.user, reason="已说明")
    waiting = others.count()
    text = text_of(render("audit", incident))
    assert "经审计确认的问责认定1项" in text
    assert "交接班延误，无正当理由" in text and "周审计" in text
    assert (f"另有{waiting}项待审计认定" in text) == bool(waiting)


def test_c18_bulletin_counts_incidents_by_severity(story, org):
    story.reviewed()
    for day, title in ((3, "家长群反映某小学课后服务收费不透明"), (4, "市民投诉某校工地夜间施工噪音扰民")):
        story.at(days=day)
        incident = actions.detect_incident(org.duty.user, **incident_kwargs(
            title=title, discovered_at=T0 + timedelta(days=day)))
        actions.report_incident(incident, org.duty.user, Step(recipient="舆情办"))
        actions.classify_incident(incident, org.staff.user, category="inquiry", severity="general")
    rendered = render("bulletin", period_from=date(2026, 3, 1), period_to=date(2026, 3, 7))
    text = text_of(rendered)
    assert "关于2026年3月1日至7日网络舆情情况的通报" in text
    assert "共发现网络舆情3起，其中特别重大1起、重大0起、一般2起" in text
    assert "图1各级别舆情数量" in text and "图2每日发现舆情数量" in text
    # Unmet: the story's second follow-up; the day-3 inquiry never forwarded to its department
    # within 2 hours of judgement (C11), nor its C10a handling opinion given the same day (a
    # playbook step); the day-4 one's are not due yet.
    assert "逾期未履行时限3项，逾期履行1项" in text


def test_bulletin_for_an_empty_period_says_so(db):
    rendered = render("bulletin", period_from=date(2020, 1, 1), period_to=date(2020, 1, 1))
    text = text_of(rendered)
    assert "未发现网络舆情" in text and rendered.pages == 1


def test_incident_without_metrics_or_steps_renders_every_kind(org):
    incident = actions.detect_incident(org.duty.user, **incident_kwargs())
    for kind in ("written_report", "follow_up", "summary", "audit"):
        text = text_of(render(kind, incident))
        assert "暂无传播数据记录" in text or kind == "audit"


def test_very_long_title_emoji_and_mixed_scripts_are_printed_whole(org):
    title = ("网传😀某校👨‍👩‍👧食堂 Canteen «food» 問題 عربي русский " * 6)[:300]
    incident = actions.detect_incident(org.duty.user, **incident_kwargs(
        title=title, summary="混排 English 文本、日本語のテキスト、한국어、emoji 🎉🎉 和𠀀生僻字。" * 20))
    for kind in ("written_report", "summary"):
        rendered = render(kind, incident)
        text = text_of(rendered)
        assert "Canteen" in text and "□" in text
        assert "\ufffd" not in text  # no character was cut in half


def test_500_timeline_entries_fill_pages_without_losing_any(story):
    incident = story.until_written_report()
    for n in range(500):
        TimelineEntry.objects.create(incident=incident, actor_name="李值班", event=Event.NOTE,
                                     note=f"第{n:03d}条跟踪记录：持续监测，未见新的传播。")
    rendered = render("summary", incident)
    text = text_of(rendered)
    assert 15 <= rendered.pages <= 60
    assert all(f"第{n:03d}条跟踪记录" in text for n in range(500))


def test_english_office_gets_english_labels(story):
    incident = story.until_follow_up()
    for kind in ("written_report", "follow_up", "summary", "audit"):
        text = text_of(render(kind, incident, language="en", number="PO [2026] No. 7"))
        assert "PO[2026]No.7" in text
        assert "网络舆情的报告" not in text and "时限履行情况" not in text
    text = text_of(render("written_report", incident, language="en"))
    assert "Reporton" in text and "Measurestaken" in text and "Especiallymajor" in text
    text = text_of(render("bulletin", language="en", period_from=date(2026, 3, 1),
                          period_to=date(2026, 3, 7)))
    assert "Bulletinononlinepublicopinion" in text and "Bysevertiy".replace("tiy", "ity") in text


def test_generated_row_records_hash_pages_and_data_version(story, django_capture_on_commit_callbacks):
    incident = story.until_written_report()
    with django_capture_on_commit_callbacks(execute=True):
        briefing = generation.request_briefing("written_report", story.org.staff.user,
                                               incident=incident)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.READY, briefing.error
    last = incident.timeline.order_by("-id").first().pk
    assert briefing.data_version == f"r{incident.revision}-t{last}"
    assert briefing.document_number == "舆情办〔2026〕1号" and briefing.pages >= 2
    import hashlib
    with briefing.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == briefing.sha256
    assert Deadline.objects.filter(incident=incident).exists()
