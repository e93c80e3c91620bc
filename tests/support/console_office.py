"""A small office for the console's tests (pages, offline walk, browser): one login per role
and open incidents in every open state, made through the actions with the clock travelled,
so it does not depend on the demo's longer story.

- `urgent`: detected 25 minutes ago by the duty officer, urgent: its 30-minute verbal report
  (C02) is 5 minutes from due, in the plan's warning window.
- `overdue`: detected 3 hours ago and never reported: its 2-hour report (C01) is overdue.
- `reported`: reported by phone, waiting for the office's judgement.
- `major`: classified major (C04/C05 deadlines running), for leadership's home.
- `general`: classified general 6 hours ago.
(None is responded to: that needs an approved reply from the responses app.)
"""
from dataclasses import dataclass
from datetime import timedelta

import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from incidents import actions
from incidents.models import Channel, Incident
from tests.factories import Org, incident_kwargs

PASSWORD = "console-pass-123"


@dataclass
class ConsoleOffice:
    org: Org
    users: dict  # role name → User, with PASSWORD
    urgent: Incident
    overdue: Incident
    reported: Incident
    major: Incident
    general: Incident


def _detect(org, title, ago, **extra):
    with time_machine.travel(timezone.now() - ago, tick=False):
        return actions.detect_incident(org.duty.user, **incident_kwargs(
            title=title, discovered_at=timezone.now(), owner_unit=org.department, **extra))


def _report(org, incident, after):
    with time_machine.travel(incident.discovered_at + after, tick=False):
        return actions.report_incident(incident, org.duty.user, actions.Step(
            channel=Channel.PHONE, recipient="舆情办 赵干事", note="电话报告"))


def _classify(org, incident, severity, after):
    with time_machine.travel(incident.discovered_at + after, tick=False):
        return actions.classify_incident(incident, org.staff.user, category="inquiry",
                                         severity=severity)


def build() -> ConsoleOffice:
    org = Org()
    users = {"office": org.staff.user, "leader": org.leader.user, "duty": org.duty.user,
             "handler": org.handler.user, "spokesperson": org.spokesperson.user,
             "auditor": org.auditor.user}
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    for user in [*users.values(), admin]:
        user.set_password(PASSWORD)
        user.is_staff = user.is_staff or user in (org.staff.user, org.leader.user,
                                                  org.auditor.user)
        user.save()
    users["admin"] = admin
    urgent = _detect(org, "网传市七中食堂饭菜变质致学生腹泻", timedelta(minutes=25), urgent=True)
    overdue = _detect(org, "家长群转发某校乱收费截图", timedelta(hours=3))
    reported = _report(org, _detect(org, "某校午休时间调整引发讨论", timedelta(minutes=50)),
                       timedelta(minutes=20))
    major = _classify(org, _report(org, _detect(org, "某校体育课学生受伤视频持续发酵",
                                                timedelta(hours=1)), timedelta(minutes=10)),
                      "major", timedelta(minutes=30))
    general = _classify(org, _report(org, _detect(org, "网友质疑新校区交通安排",
                                                  timedelta(hours=6)), timedelta(minutes=15)),
                        "general", timedelta(minutes=40))
    return ConsoleOffice(org, users, urgent, overdue, reported, major, general)
