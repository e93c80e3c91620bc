"""A believable demo office: a city education bureau's leadership group for online
public-opinion incidents, its office and departments, one login per role, and a dozen incidents
in every state of the plan.

Everything is made through incidents.actions with `Step(occurred_at=...)` in the past, so the
record reads as if the office had worked the cases: deadlines opened at discovery are met on
time, one report is already overdue, and one urgent case is two minutes from missing its
30-minute verbal report (C02) when the seed finishes. The stories quote the school plans in
shared/sources (30分钟内口头汇报和90分钟内书面汇报；分类处置；三日内书面报告).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from audit import actions as audit_actions, reviews
from audit.findings import refresh_findings
from audit.models import Finding
from incidents import actions, sweep
from incidents.actions import Step
from incidents.classification import Heat
from incidents.models import Channel, Incident
from intake import demo as intake_demo
from notifications import ladder
from notifications.models import PersonChannel
from organisation import roles
from organisation.models import Person, Unit
from plans.models import ResponsePlan
from referrals import actions as referrals
from responses import actions as responses, meetings, press, procedure

DEMO_PASSWORD = "demo-pass-123"
BUREAU = "某市教育局"
OFFICE_NAME = f"{BUREAU}网络舆情应急处置工作领导小组办公室"  # also the "already seeded" marker
URGENT_TITLE = "网传市第七中学食堂饭菜变质致多名学生腹泻"
REFERRAL_TITLE = "家长询问某初中课后延时服务收费依据"  # C11–C13: slip, late reply, chase, approval
RISING_TITLE = "网民询问某小学午休“趴桌睡”何时改善"  # C09: general, then major by its metrics

UNITS = [
    # key, name, kind, phone
    ("leadership", f"{BUREAU}网络舆情应急处置工作领导小组", Unit.Kind.LEADERSHIP, "0571-8700 1000"),
    ("office", OFFICE_NAME, Unit.Kind.OFFICE, "0571-8700 1010"),
    ("academic", "教务处", Unit.Kind.DEPARTMENT, "0571-8700 1020"),
    ("logistics", "后勤保障处", Unit.Kind.DEPARTMENT, "0571-8700 1030"),
    ("students", "学生工作处", Unit.Kind.DEPARTMENT, "0571-8700 1040"),
    ("press", "新闻发布组", Unit.Kind.PRESS, "0571-8700 1050"),
    ("superior", "市委网信办", Unit.Kind.SUPERIOR, "0571-8600 2000"),
]

PEOPLE = [
    # username, role (None: no login), name, unit key, title, is_monitor
    ("leader", roles.LEADERSHIP_MEMBER, "王建国", "leadership", "组长（局长）", False),
    ("deputy", None, "陈晓霞", "leadership", "副组长（分管副局长）", False),
    ("office", roles.OFFICE_STAFF, "赵敏", "office", "办公室副主任", False),
    ("auditor", roles.AUDITOR, "周静", "office", "复盘评估专员", False),
    ("duty", roles.DUTY_OFFICER, "李明", "students", "网络舆情监测员", True),
    ("monitor2", None, "孙丽", "academic", "网络舆情监测员", True),
    ("handler", roles.DEPARTMENT_HANDLER, "钱伟", "logistics", "膳食管理科科长", False),
    ("spokesperson", roles.SPOKESPERSON, "刘洋", "press", "新闻发言人", False),
    ("head_logistics", roles.DEPARTMENT_HEAD, "郑文", "logistics", "后勤保障处处长", False),
    ("head_academic", roles.DEPARTMENT_HEAD, "冯刚", "academic", "教务处处长", False),
    ("superior", None, "吴刚", "superior", "网络舆情科科长", False),
]
STAFF_USERS = {"leader", "office", "auditor"}  # may open the admin (view incidents, actions)


@dataclass
class DemoOrg:
    units: dict
    people: dict
    users: dict

    def actor(self, key):
        return self.users[key]


def already_seeded() -> bool:
    return Unit.objects.filter(name=OFFICE_NAME).exists()


def logins() -> list[tuple[str, str, str]]:
    rows = [("superuser / 系统管理员", "admin", DEMO_PASSWORD)]
    rows += [(f"{role} / {roles.ROLE_LABELS[role]}", username, DEMO_PASSWORD)
             for username, role, *_rest in PEOPLE if role]
    return rows


def _build_org() -> DemoOrg:
    units = {}
    for key, name, kind, phone in UNITS:
        units[key] = Unit.objects.create(name=name, kind=kind, phone=phone,
                                         parent=units.get("leadership"))
    people, users = {}, {}
    for username, role, name, unit_key, title, is_monitor in PEOPLE:
        user = User.objects.create_user(username, is_staff=username in STAFF_USERS,
                                        password=DEMO_PASSWORD if role else None)
        if role:
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        if role == roles.DEPARTMENT_HEAD:  # sees its unit's incidents as its handlers do
            user.groups.add(Group.objects.get(name=roles.DEPARTMENT_HANDLER))
        people[username] = Person.objects.create(
            user=user, name=name, unit=units[unit_key], title=title, is_monitor=is_monitor,
            phone=f"1390571{len(people):04d}")
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    _demo_channels(people)
    return DemoOrg(units=units, people=people, users=users)


def _demo_channels(people: dict) -> None:
    """Every demo person is reached by SMS (the console backend: printed in the worker's log)
    and e-mail (Django's console backend unless EMAIL_BACKEND says otherwise), beside the
    in-app inbox, so a missed deadline in the demo shows each delivery path at work."""
    for username, person in people.items():
        person.user.email = f"{username}@example.org"
        person.user.save(update_fields=["email"])
        PersonChannel.objects.create(person=person, kind="console", address=person.phone,
                                     priority=1)
        PersonChannel.objects.create(person=person, kind="email", address=person.user.email,
                                     priority=2)


def _detect(org, ago: timedelta, now: datetime, *, title, summary, url, platform, owner,
            urgent=False, plan=None, discovered_by="duty") -> tuple[Incident, datetime]:
    discovered = now - ago
    incident = actions.detect_incident(
        org.actor("duty"), title=title, summary=summary, source_url=url, platform=platform,
        discovered_at=discovered, urgent=urgent, discovered_by=org.people[discovered_by],
        owner_unit=org.units[owner], accountable_leader=org.people["leader"], plan=plan)
    return incident, discovered


# The demo's history is written after the fact, so each step is recorded late (补录) and says so.
DEMO_LATE_REASON = "演示数据：按当时的处置记录补录"


def _at(start: datetime, **delta) -> Step:
    return Step(occurred_at=start + timedelta(**delta), late_reason=DEMO_LATE_REASON)


def _step(start: datetime, channel=Channel.SYSTEM, recipient="", note="", **delta) -> Step:
    return Step(channel=channel, recipient=recipient, note=note,
                occurred_at=start + timedelta(**delta), late_reason=DEMO_LATE_REASON)


TO_OFFICE = "舆情办值班室 赵敏"


def _answered(org, incident, found, *, kind, body, approver, hours, where="", url="",
              drafter="office"):
    """C16, C17: the response drafted, approved and (when public) published before the
    incident is marked responded, each step at its own stated time."""
    draft = responses.create_draft(incident, org.actor(drafter), kind=kind, body=body,
                                   step=_at(found, hours=hours - 1))
    responses.approve_draft(draft, org.actor(approver), comment="同意",
                            step=_at(found, hours=hours - 0.5))
    if where:
        responses.publish_draft(draft, org.actor("spokesperson"), where=where, url=url,
                                step=_at(found, hours=hours - 0.1))


def _office_reports_and_orders(org, incident, found, hours):
    """C14: at once, the office reports to the leadership group and orders the involved unit
    to investigate."""
    procedure.report_to_leadership(incident, org.actor("office"), step=_step(
        found, Channel.PHONE, "领导小组组长", "重大舆情，建议召开紧急会议", hours=hours))
    procedure.order_investigation(incident, org.actor("office"), unit=incident.owner_unit,
                                  step=_step(found, note="核实事实，当日报告调查结果",
                                             hours=hours + 0.05))


def _major_procedure(org, incident, found, hours):
    """C14: the office's report and investigation order, the emergency meeting held and the
    spokesperson designated."""
    _office_reports_and_orders(org, incident, found, hours - 0.1)
    meetings.hold_meeting(incident, org.actor("office"), kind="emergency",
                          held_at=found + timedelta(hours=hours), late_reason=DEMO_LATE_REASON,
                          attendees=[org.people["leader"], org.people["deputy"],
                                     org.people["office"]],
                          agenda="研究处置方案", decisions="成立新闻发布组，统一发布口径",
                          agreed_wording="高度重视、立即核查、及时公布")
    press.designate_spokesperson(incident, org.actor("leader"), person=org.people["spokesperson"],
                                 step=_at(found, hours=hours + 0.1))
TO_SUPERIOR = "市委网信办网络舆情科 吴刚"


def _open_cases(org, now):
    """Detected: the urgent case about to miss C02, a pending report, an overdue report."""
    _detect(org, timedelta(minutes=28), now, title=URGENT_TITLE, urgent=True,
            summary="抖音用户“七中家长群”发布视频称市第七中学食堂午餐饭菜有异味，多名学生下午出现"
                    "腹泻，视频一小时内点赞过万，评论区有家长要求学校说明情况。按预案须30分钟内口头汇报、"
                    "90分钟内书面汇报。",
            url="https://www.douyin.com/video/7301234567890", platform="抖音", owner="logistics")
    _detect(org, timedelta(minutes=40), now, title="家长群反映某小学课后服务收费不透明",
            summary="本地论坛帖子转载家长群截图，称某小学课后服务每月收费 600 元但未公示收费依据，"
                    "帖子回复 30 余条。", discovered_by="monitor2",
            url="https://bbs.example-city.cn/thread-88213-1-1.html", platform="本地论坛",
            owner="academic")
    _detect(org, timedelta(hours=3, minutes=5), now,
            title="市民投诉某校新建体育馆工地夜间施工噪音扰民",
            summary="微博用户连续三晚发帖称学校新建体育馆工地 23 点后仍在打桩，@多个政务账号，"
                    "称“投诉无门”。", url="https://weibo.com/5512345678/Nabc123",
            platform="微博", owner="logistics")


def _reported_cases(org, now):
    one_hour = ResponsePlan.objects.current().filter(family="one-hour").first()
    tuition, found = _detect(
        org, timedelta(minutes=70), now, plan=one_hour,
        title="网民在政务留言板询问2025年秋季学期普通高中学费标准",
        summary="网民在市政府“市长信箱”留言，询问秋季学期普通高中学费是否上调，以及住宿费收费标准。",
        url="https://liuyan.example-city.gov.cn/detail/20250812", platform="政务留言板",
        owner="academic")
    actions.report_incident(tuition, org.actor("duty"), _step(
        found, Channel.WRITTEN, TO_OFFICE, "书面报送网民留言截图及初步核实情况（适用 1 小时报告预案，C03）",
        minutes=15))

    injury, found = _detect(
        org, timedelta(hours=5), now, urgent=True,
        title="短视频平台流传某小学学生课间在走廊摔伤视频",
        summary="快手账号发布学生课间在走廊奔跑摔倒、额头流血的视频，配文质疑学校安全管理，"
                "转发 800 余次。", url="https://www.kuaishou.com/short-video/3xabc",
        platform="快手", owner="students")
    actions.report_incident(injury, org.actor("duty"), _step(
        found, Channel.PHONE, "舆情办 赵敏、领导小组副组长 陈晓霞",
        "电话口头汇报：学生已送医缝合，无生命危险，班主任已联系家长", minutes=18))
    actions.file_written_report(injury, org.actor("duty"), _step(
        found, Channel.WRITTEN, TO_OFFICE, "书面报告：事情原由、事实真相、处置情况", minutes=75))


def _classified_cases(org, now):
    uniform, found = _detect(
        org, timedelta(hours=26), now, title="家长质疑某校校服征订价格偏高、强制统一购买",
        summary="微信公众号文章称某初中校服一套 480 元，高于市场价，且要求必须在指定商家购买，"
                "阅读量 4000+。", url="https://mp.weixin.qq.com/s/AbCdEf123",
        platform="微信公众号", owner="academic")
    actions.report_incident(uniform, org.actor("duty"),
                            _step(found, Channel.WRITTEN, TO_OFFICE, minutes=35))
    actions.classify_incident(
        uniform, org.actor("office"), category="inquiry", heat=Heat(clicks=420, comments=36),
        step=_step(found, note="属询问、置疑、诉求类：安排教务处依法依规办理，当日回复处理意见（C10a）",
                   hours=3))

    video, found = _detect(
        org, timedelta(hours=9), now, title="网传某校教师体罚学生视频",
        summary="微博流传一段教室内教师推搡学生的视频，配文“某校老师当众体罚学生”，多个本地大V转发，"
                "评论区情绪激烈。", url="https://weibo.com/6612345678/Nxyz789",
        platform="微博", owner="students")
    actions.report_incident(video, org.actor("duty"), _step(
        found, Channel.PHONE, TO_OFFICE, "电话报告，视频已固定证据", minutes=25))
    duplicate, dup_found = _detect(
        org, timedelta(hours=8, minutes=30), now, title="微博转发：某校老师打学生视频",
        summary="另一账号转发同一视频，内容与前一事件相同。", discovered_by="monitor2",
        url="https://weibo.com/7712345678/Nqwe456", platform="微博", owner="students")
    actions.report_incident(duplicate, org.actor("duty"),
                            _step(dup_found, Channel.WRITTEN, TO_OFFICE, minutes=20))
    actions.classify_incident(
        video, org.actor("office"), category="hype", stage="outbreak",
        heat=Heat(clicks=2400, comments=180, mainstream_sites=2),
        step=_step(found, note="恶意传播、炒作类，达到重大舆情标准；责令学生工作处调查核实（C14）",
                   hours=1))
    _office_reports_and_orders(org, video, found, 1.1)
    actions.merge_incident(duplicate, org.actor("office"),
                           _step(dup_found, note="同一视频的转发，合并处置", minutes=40), into=video)
    actions.report_to_superior(video, org.actor("office"), _step(
        found, Channel.WRITTEN, TO_SUPERIOR, "逐级报告、双重报告（C04）", hours=1, minutes=40))
    for hours, note in ((4.5, "续报：涉事教师已停课，学校约谈家长"),
                        (8, "续报：调查组调取监控，初步认定视频经剪辑")):
        actions.file_follow_up_report(video, org.actor("office"), _step(
            found, Channel.WRITTEN, "领导小组", note, hours=hours))
    _press_release_waiting(org, video, found, now)


VIDEO_RELEASE = ("关于网传某校教师体罚学生视频的情况通报：我局高度重视，已责成学生工作处会同学校"
                 "调查核实。经调取教室监控，网传视频系剪辑拼接，涉事教师已暂停教学工作，调查结果将及时公布。")


def _press_release_waiting(org, video, found, now):
    """The story the demo leaves to be played (C14–C17): the emergency meeting has handed the
    students' office a task and agreed the wording, the spokesperson is designated, and the
    office's press release waits in the leadership member's approval inbox. Playing it: the
    leader approves from the inbox, the spokesperson publishes from the queue, the task and
    the next follow-up are done, and the office marks the incident responded."""
    meetings.hold_meeting(
        video, org.actor("office"), kind="emergency", held_at=found + timedelta(hours=1.5),
        late_reason=DEMO_LATE_REASON,
        attendees=[org.people["leader"], org.people["deputy"], org.people["office"]],
        agenda="研究教师体罚学生视频舆情的处置和发布口径",
        decisions="学生工作处核实视频来源；新闻发布组当日发布情况通报，由组长审定",
        agreed_wording="高度重视、已责成调查、视频系剪辑、结果及时公布",
        release_approver=org.people["leader"],
        tasks=[{"title": "核实视频原始来源并形成调查报告", "owner_unit": org.units["students"],
                "owner": org.people["duty"], "due_at": now + timedelta(hours=3)}])
    press.designate_spokesperson(video, org.actor("leader"), person=org.people["spokesperson"],
                                 step=_at(found, hours=1.6))
    responses.create_draft(video, org.actor("office"), kind="press_release", body=VIDEO_RELEASE,
                           step=_at(found, hours=8.5))


def _responded_cases(org, now):
    canteen, found = _detect(
        org, timedelta(days=2), now, urgent=True, title="网传某校食堂使用过期食材",
        summary="微博帖子配图称某校食堂仓库存放大量过期食材，涉及食品安全，帖子被5家主流网站转载。",
        url="https://weibo.com/5598765432/Nfood01", platform="微博", owner="logistics")
    actions.report_incident(canteen, org.actor("duty"), _step(
        found, Channel.PHONE, "舆情办 赵敏", "30分钟内口头汇报（C02）", minutes=15))
    actions.file_written_report(canteen, org.actor("duty"),
                                _step(found, Channel.WRITTEN, TO_OFFICE, minutes=60))
    actions.classify_incident(
        canteen, org.actor("office"), category="fabrication", stage="outbreak",
        heat=Heat(clicks=3600, comments=520, mainstream_sites=5, sensitive_topic=True),
        step=_step(found, note="涉及食品安全，定为特别重大；领导小组召开紧急会议，成立新闻发布组", hours=1.5))
    actions.report_to_superior(canteen, org.actor("office"),
                               _step(found, Channel.PHONE, TO_SUPERIOR, hours=2))
    for hours in (5, 8 + 50 / 60):
        actions.file_follow_up_report(canteen, org.actor("office"), _step(
            found, Channel.WRITTEN, "领导小组", "续报：市场监管部门已进场抽检", hours=hours))
    _major_procedure(org, canteen, found, 1.6)
    _answered(org, canteen, found, kind="press_release", approver="leader", hours=11.5,
              body="关于网传某校食堂使用过期食材的情况通报", where="官方微博",
              url="https://weibo.com/official/notice-canteen")
    actions.respond_incident(
        canteen, org.actor("spokesperson"), _step(found, Channel.WRITTEN, "官方微博", hours=12),
        response="经市场监管部门与市教育局联合核查，该校食堂在用食材均在保质期内，网传图片系外地旧图。"
                 "对捏造事实者已商请公安机关依法处理。（经领导小组审定，C16）")

    winter, found = _detect(
        org, timedelta(days=1, hours=6), now, title="家长询问寒假托管服务报名方式",
        summary="家长在教育局政务号评论区询问寒假托管服务如何报名、是否收费。",
        url="https://mp.weixin.qq.com/s/Winter2025", platform="微信公众号", owner="academic")
    actions.report_incident(winter, org.actor("duty"),
                            _step(found, Channel.SYSTEM, TO_OFFICE, minutes=30))
    actions.classify_incident(winter, org.actor("office"), category="inquiry", severity="general",
                              step=_at(found, hours=1))
    _answered(org, winter, found, kind="unified_reply", approver="head_academic", hours=2.9,
              body="寒假托管 1 月 15 日起在各校报名，不收取费用。")
    actions.respond_incident(
        winter, org.actor("office"), _step(found, Channel.WRITTEN, "政务号评论区置顶回复", hours=3),
        response="能当即回复的当即回复：寒假托管 1 月 15 日起在各校报名，不收取费用。")


def _summaries(org, incident, step):
    """C19: every department involved files its written summary (the office records each)."""
    for unit in actions.involved_units(incident):
        actions.file_summary(incident, org.actor("office"), step, unit=unit)


def _reviewed(org, incident, step, *, conclusion, lessons, proposal="", experts=()):
    """C20, C21: the auditor writes the review's record and decides the findings the record
    shows (the demo's own back-filling, 补录, is dismissed as such; a late report confirmed);
    the leadership group marks the incident reviewed."""
    review = reviews.record_review(incident, org.actor("auditor"),
                                   reviewers=[org.people["leader"], org.people["deputy"]],
                                   conclusion=conclusion, lessons=lessons, experts=experts)
    if proposal:
        reviews.propose_plan_change(review, org.actor("auditor"), proposal=proposal)
    refresh_findings([incident.pk])
    for finding in Finding.objects.filter(incident=incident, status=Finding.Status.OPEN):
        if finding.kind == Finding.Kind.RECORDED_LATE:
            audit_actions.dismiss_finding(finding, org.actor("auditor"),
                                          reason="演示数据按当时记录补录，非实际补录")
        else:
            audit_actions.confirm_finding(finding, org.actor("auditor"),
                                          reason="经核查记录属实，无正当理由")
    actions.review_incident(incident, org.actor("leader"), step, findings=conclusion)


def _closed_cases(org, now):
    speech, found = _detect(
        org, timedelta(days=12), now, title="某校教师在社交平台发表不当言论引发热议",
        summary="一名教师在个人账号发表歧视性言论，被截图转发，评论 320 条。",
        url="https://weibo.com/5511122233/Nspeech", platform="微博", owner="academic")
    # Reported 25 minutes after the plan's 2 hours (C01): a late report the audit finds (C21).
    actions.report_incident(speech, org.actor("duty"),
                            _step(found, Channel.WRITTEN, TO_OFFICE, hours=2, minutes=25))
    actions.classify_incident(speech, org.actor("office"), category="hype",
                              heat=Heat(clicks=1500, comments=320), step=_at(found, hours=3))
    actions.report_to_superior(speech, org.actor("office"),
                               _step(found, Channel.WRITTEN, TO_SUPERIOR, hours=3.5))
    actions.file_follow_up_report(speech, org.actor("office"),
                                  _step(found, Channel.WRITTEN, "领导小组", "续报：已约谈当事教师", hours=6))
    _major_procedure(org, speech, found, 3.6)
    _answered(org, speech, found, kind="statement", approver="leader", hours=9.4,
              body="当事教师已被停职检查，学校将加强师德师风建设。", where="官方微博",
              url="https://weibo.com/official/notice-speech")
    actions.respond_incident(speech, org.actor("spokesperson"),
                             _step(found, Channel.WRITTEN, "官方微博", hours=9.5),
                             response="发布情况通报：当事教师已被停职检查，学校将加强师德师风建设。")
    _summaries(org, speech, _step(found, Channel.WRITTEN, OFFICE_NAME, "三日内书面报告（C19）",
                                  days=2, hours=9))
    actions.resolve_incident(speech, org.actor("office"), step=_step(
        found, note="跟踪三日无新的传播，确认化解；网络舆情通报停发（C18、C22）", days=4))
    _reviewed(org, speech, _at(found, days=5),
              conclusion="处置得当，通报及时；监测员向舆情办报告迟 25 分钟（迟报）。",
              lessons="建议将师德舆情纳入教师培训；监测员交接班时须当即报告。",
              proposal="师德类舆情列为敏感话题，发现后 1 小时内报告。",
              experts=[{"name": "林教授", "affiliation": "市师范大学传播学院"}])

    library, found = _detect(
        org, timedelta(days=7), now, title="网民建议延长中小学图书馆周末开放时间",
        summary="网民在留言板建议学校图书馆周末向学生开放，方便学生借阅，获 200 余人点赞。",
        url="https://liuyan.example-city.gov.cn/detail/20250730", platform="政务留言板",
        owner="logistics")
    actions.report_incident(library, org.actor("duty"),
                            _step(found, Channel.SYSTEM, TO_OFFICE, hours=1))
    actions.classify_incident(library, org.actor("office"), category="constructive",
                              severity="general", step=_at(found, days=1))
    _answered(org, library, found, kind="reply", approver="head_logistics", hours=47,
              body="采纳建议：下学期起在 5 所学校试点周六开放图书馆。", drafter="handler")
    actions.respond_incident(library, org.actor("handler"),
                             _step(found, Channel.WRITTEN, "留言板回复", days=2),
                             response="采纳建议：下学期起在 5 所学校试点周六开放图书馆（C10d）。")
    _summaries(org, library, _step(found, Channel.WRITTEN, OFFICE_NAME, days=3))
    _reviewed(org, library, _at(found, days=4), conclusion="建设性意见已采纳并答复，按时办结。",
              lessons="建设性意见类办理流程顺畅，可作范例。")

    rumour, found = _detect(
        org, timedelta(hours=30), now, title="网传“本市将撤并12所乡镇小学”",
        summary="短视频称本市将撤并12所乡镇小学，引发部分家长担忧。",
        url="https://www.douyin.com/video/7309999999", platform="抖音", owner="academic")
    actions.report_incident(rumour, org.actor("duty"),
                            _step(found, Channel.SYSTEM, TO_OFFICE, minutes=30))
    actions.dismiss_incident(rumour, org.actor("office"), _step(
        found, note="经核实为外省2019年旧闻，与本市无关，不属本系统网络舆情", hours=2))


def _referral_case(org, now):
    """C11–C13: a general inquiry referred to 教务处 on a slip; the reply runs late, the sweep
    puts the slip under supervision, the office chases by phone, the unit replies, the office
    approves, and the approved reply answers the netizen. Runs before the other stories, so its
    sweep (at the time the reply fell overdue) touches only this incident."""
    fees, found = _detect(
        org, timedelta(days=20), now, title=REFERRAL_TITLE,
        summary="家长在政务留言板询问某初中课后延时服务每月收费 300 元的依据、是否自愿参加，"
                "留言获 60 余人附议。",
        url="https://liuyan.example-city.gov.cn/detail/20251102", platform="政务留言板",
        owner="academic")
    actions.report_incident(fees, org.actor("duty"),
                            _step(found, Channel.WRITTEN, TO_OFFICE, minutes=30))
    actions.classify_incident(fees, org.actor("office"), category="inquiry", severity="general",
                              heat=Heat(clicks=260, comments=64), step=_at(found, hours=1))
    slip = referrals.refer_incident(
        fees, org.actor("office"), lead_unit=org.units["academic"],
        co_units=[org.units["logistics"]],
        instruction="请教务处牵头、后勤保障处协助，核实收费依据和自愿原则落实情况，三个工作日内书面答复。"
                    "——王建国",
        step=_step(found, Channel.WRITTEN, "教务处", hours=1.5))
    due = slip.due_at
    # The reply was not in by its due time: the sweep, as the beat ran it then, breaches it
    # and opens the supervision (督办, C13).
    sweep.sweep(now=due + timedelta(minutes=30))
    slip.refresh_from_db()
    referrals.supervise_referral(
        slip, org.actor("office"), channel=Channel.PHONE,
        note="电话督办教务处冯刚处长：答复已逾期，对方承诺次日上午报送书面答复",
        step=_step(due, Channel.PHONE, "教务处 冯刚", hours=2))
    referrals.reply_referral(
        slip, org.actor("head_academic"),
        body="经核实，课后延时服务收费依据为市发改委、市教育局联合文件，按每生每月 300 元收取，"
             "家长自愿报名，不参加的学生 16:30 放学。已在校门口和家长群公示。",
        step=_step(due, Channel.WRITTEN, "舆情办", hours=20))
    referrals.approve_reply(slip, org.actor("office"), comment="同意，按此答复网民",
                            step=_step(due, hours=22))
    _answered(org, fees, due, kind="unified_reply", approver="head_academic", hours=23,
              body="课后延时服务按市发改委、市教育局文件每月 300 元收取，家长自愿报名。")
    actions.respond_incident(
        fees, org.actor("office"), _step(due, Channel.WRITTEN, "政务留言板回复", hours=24),
        response="按审定的抄告单答复回复网民：收费依据为市发改委、市教育局联合文件，家长自愿报名。")


def _rising_case(org, now):
    """C09: a general inquiry whose clicks pass the plan's 1,000 turns major on its own; the
    timeline names the rule, and the major procedure's obligations open."""
    nap, found = _detect(
        org, timedelta(hours=6), now, title=RISING_TITLE,
        summary="网民在微博询问某小学午休只能趴在课桌上睡、何时配备午休床，起初转发不多。",
        url="https://weibo.com/5599911122/Nnap01", platform="微博", owner="logistics")
    actions.report_incident(nap, org.actor("duty"),
                            _step(found, Channel.WRITTEN, TO_OFFICE, minutes=25))
    actions.classify_incident(nap, org.actor("office"), category="inquiry", severity="general",
                              heat=Heat(clicks=180, comments=12), stage="latent",
                              step=_at(found, hours=1))
    actions.record_metrics(nap, org.actor("duty"), heat=Heat(clicks=1800, comments=140),
                           stage="outbreak", cause="本地大V转发并配文“孩子午睡太遭罪”",
                           attention="午休床配备时间、是否收费",
                           step=_at(found, hours=3))


def seed() -> DemoOrg:
    """Create the demo office and its incidents once; the caller checks already_seeded()."""
    now = timezone.now()
    with transaction.atomic():
        org = _build_org()
        _referral_case(org, now)
        _closed_cases(org, now)
        _rising_case(org, now)
        _responded_cases(org, now)
        _classified_cases(org, now)
        _reported_cases(org, now)
        _open_cases(org, now)
        intake_demo.seed(org.units, org.people, now)  # robot sources for bin/demo-push
    # What the beat's sweep would have done by now: breach the overdue report and start its
    # ladder, warn about deadlines near their end.
    sweep.sweep()
    ladder.climb_due()
    return org


def add_urgent_incident(minutes_ago: int = 28) -> Incident:
    """Another urgent case about to miss its verbal report, to replay the C02 escalation."""
    duty = User.objects.get(username="duty")
    return actions.detect_incident(
        duty, title=URGENT_TITLE, urgent=True, platform="抖音",
        summary="（演示）家长视频称食堂饭菜变质，多名学生腹泻。按预案须30分钟内口头汇报。",
        source_url="https://www.douyin.com/video/7301234567890",
        discovered_at=timezone.now() - timedelta(minutes=minutes_ago),
        owner_unit=Unit.objects.get(name="后勤保障处"),
        accountable_leader=Person.objects.get(user__username="leader"))
