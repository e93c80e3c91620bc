"""Time each briefing kind: ms per page for the five documents and a ~100-page bulletin.

Run from the repository root: python bench/briefings.py
Uses a throw-away SQLite database in a temp dir (OPINIONOPS_VAR_DIR); prints figures only.
The target is at most 100 ms per page.
"""
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="opinionops-bench-")
os.environ["OPINIONOPS_VAR_DIR"] = VAR
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opinion_ops.settings")
# A throwaway signing key for the run (settings refuse to start without one when DEBUG is off).
os.environ.setdefault("SECRET_KEY", "bench-" + os.urandom(16).hex())

os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from briefings import generation  # noqa: E402
from briefings.documents.common import Request  # noqa: E402
from briefings.fonts import register_fonts  # noqa: E402
from briefings.models import BriefingTemplate  # noqa: E402
from incidents import actions, deadlines
from organisation import roles
from incidents.actions import Step  # noqa: E402
from incidents.classification import Heat  # noqa: E402
from incidents.models import Channel, Deadline, Incident
from plans.models import DeadlineKind, ResponsePlan
from organisation.models import Person, Unit

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
BULLETIN_INCIDENTS = 1500


def person(username, role, name, unit):
    user = User.objects.create_user(username, password="bench-pass-123")
    user.groups.add(Group.objects.get(name=role))
    return Person.objects.create(user=user, name=name, unit=unit)


def organisation():
    units = {kind: Unit.objects.create(name=name, kind=kind) for kind, name in (
        (Unit.Kind.OFFICE, "舆情办"), (Unit.Kind.LEADERSHIP, "领导小组"),
        (Unit.Kind.DEPARTMENT, "后勤保障处"), (Unit.Kind.PRESS, "新闻发布组"))}
    return {
        "leader": person("leader", roles.LEADERSHIP_MEMBER, "王建国", units[Unit.Kind.LEADERSHIP]),
        "duty": person("duty", roles.DUTY_OFFICER, "李明", units[Unit.Kind.DEPARTMENT]),
        "staff": person("staff", roles.OFFICE_STAFF, "赵敏", units[Unit.Kind.OFFICE]),
        "speaker": person("speaker", roles.SPOKESPERSON, "刘洋", units[Unit.Kind.PRESS]),
    }


def worked_incident(people, clock):
    """An urgent incident through report, classification, metrics, follow-ups and response."""
    def at(**delta):
        clock.move_to(T0 + timedelta(**delta))
    duty, staff = people["duty"].user, people["staff"].user
    incident = actions.detect_incident(
        duty, title="网传市第七中学食堂饭菜变质致多名学生腹泻", urgent=True, platform="抖音",
        summary="抖音用户发布视频称市第七中学食堂午餐饭菜有异味，多名学生下午出现腹泻。" * 3,
        source_url="https://www.douyin.com/video/7301234567890", discovered_at=T0)
    at(minutes=20)
    actions.report_incident(incident, duty, Step(channel=Channel.PHONE, recipient="舆情办 赵敏",
                                                 note="电话报告"))
    at(minutes=40)
    actions.classify_incident(incident, staff, category="hype", stage="outbreak",
                              heat=Heat(clicks=1500, comments=120, mainstream_sites=2))
    for hour in range(1, 12):
        at(hours=hour)
        actions.record_metrics(incident, duty, heat=Heat(clicks=1500 + 300 * hour,
                                                         comments=120 + 40 * hour),
                               stage="persistent", follow_up_posts=50 * hour)
        if hour % 3 == 0:
            actions.file_follow_up_report(incident, staff, Step(
                channel=Channel.WRITTEN, recipient="领导小组", note=f"第{hour // 3}次续报"))
        deadlines.sweep()
    at(hours=13)
    actions.respond_incident(incident, people["speaker"].user, Step(), response="发布情况通报")
    at(hours=14)
    return Incident.objects.get(pk=incident.pk)


def period_of_incidents(people, count):
    """Bench-only shortcut: rows made in bulk, not through actions, to fill ~100 pages."""
    plan = ResponsePlan.objects.current().get(is_default=True)
    rule = plan.rule_for(DeadlineKind.REPORT)
    office, leader = people["staff"].unit, people["leader"]
    rng = random.Random(7)
    rows = [Incident(title=f"网民反映第{n}号事项：某校{rng.choice(['食堂', '宿舍', '收费', '施工'])}问题",
                     summary="……", source_url="https://weibo.com/x", platform="微博",
                     discovered_at=T0 + timedelta(minutes=rng.randrange(7 * 24 * 60)),
                     severity=rng.choice(["", "general", "general", "major", "especially_major"]),
                     category=rng.choice(["inquiry", "hype", "fabrication", "constructive"]),
                     owner_unit=office, accountable_leader=leader, plan=plan)
            for n in range(count)]
    Incident.objects.bulk_create(rows, batch_size=500)
    late = [Deadline(incident=i, kind=DeadlineKind.REPORT, rule=rule, clause="C01",
                     owed_by_unit=office, opened_at=i.discovered_at,
                     due_at=i.discovered_at + timedelta(hours=2), state=Deadline.State.BREACHED,
                     breached_at=i.discovered_at + timedelta(hours=2))
            for i in Incident.objects.filter(title__startswith="网民反映")[: count // 20]]
    Deadline.objects.bulk_create(late, batch_size=500)


def timed_render(kind, **subject):
    request = Request(template=BriefingTemplate.default(), document_number="舆情办〔2026〕1号",
                      now=T0 + timedelta(days=8), **subject)
    generation.render(kind, request)  # warm caches (fonts, glyph subsets, queries)
    started = time.perf_counter()
    rendered = generation.render(kind, request)
    elapsed = (time.perf_counter() - started) * 1000
    return rendered.pages, elapsed


def main():
    call_command("migrate", verbosity=0)
    register_fonts()
    people = organisation()
    with time_machine.travel(T0, tick=False) as clock:
        incident = worked_incident(people, clock)
    week = {"period_from": date(2026, 3, 2), "period_to": date(2026, 3, 8)}
    results = [(kind, *timed_render(kind, incident=incident))
               for kind in ("written_report", "follow_up", "summary", "audit")]
    results.append(("bulletin", *timed_render("bulletin", **week)))
    results.append(("audit (period)", *timed_render("audit", **week)))
    period_of_incidents(people, BULLETIN_INCIDENTS)
    results.append((f"bulletin, {BULLETIN_INCIDENTS} incidents", *timed_render("bulletin", **week)))
    for name, pages, elapsed in results:
        print(f"{name:32s} {pages:4d} pages {elapsed:8.0f} ms {elapsed / pages:6.1f} ms/page")


if __name__ == "__main__":
    main()
