"""Shared steps for the delivery, ladder, acknowledgement and inbox tests (no tests here).

Robots and webhooks point at the local HTTP server of conftest.py, which answers each path the
way its provider would; `fail(path, status)` makes one path misbehave.
"""
from datetime import UTC, datetime, timedelta

import time_machine


from incidents.models import Escalation
from notifications.models import ChannelConfig, PersonChannel

from .conftest import Reply
from tests.support.sweeping import sweep_all

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
WEBHOOK_SECRET = "whsec-0123456789abcdef"


def answer_like_providers(server, failures=None):
    """Each path answers like its provider; `failures[path]` = a list of statuses to give
    first (one per request), or a single status to give forever."""
    failures = failures if failures is not None else {}
    server.failures = failures

    def respond(request):
        planned = failures.get(request.path)
        if isinstance(planned, list) and planned:
            status = planned.pop(0)
            return Reply(status, b'{"error":"planned"}')
        if isinstance(planned, int):
            return Reply(planned, b'{"error":"planned"}')
        if request.path.startswith("/open-apis/"):
            return Reply(200, b'{"code":0,"msg":"success"}')
        return Reply(200, b'{"errcode":0,"errmsg":"ok"}')

    server.responder = respond
    return server


def robot_configs(server, name: str) -> dict[str, dict]:
    """Valid configurations of each robot kind, pointing at the local server."""
    return {
        "dingtalk": {"url": f"{server.url}/robot/send?access_token={name}",
                     "base_url": f"{server.url}/robot/send", "timeout": 2},
        "wecom": {"url": f"{server.url}/cgi-bin/webhook/send?key={name}",
                  "base_url": f"{server.url}/cgi-bin/webhook/send", "timeout": 2},
        "feishu": {"url": f"{server.url}/open-apis/bot/v2/hook/{name}",
                   "base_url": f"{server.url}/open-apis/bot/v2/hook/", "timeout": 2},
        "webhook": {"url": f"{server.url}/hooks/{name}", "secret": WEBHOOK_SECRET,
                    "timeout": 2},
    }


def give_channels(person, server, kinds=("dingtalk", "wecom", "feishu", "webhook"), **extra):
    configs = robot_configs(server, person.user.username)
    return [PersonChannel.objects.create(person=person, kind=kind, config=configs[kind],
                                         priority=i, **extra)
            for i, kind in enumerate(kinds, start=1)]


def unit_robot(unit, server, kind="wecom", name=None):
    name = name or f"unit{unit.pk}"
    return ChannelConfig.objects.create(name=f"{unit.name}群机器人", kind=kind, unit=unit,
                                        config=robot_configs(server, name)[kind])


def sweep_at(moment, capture):
    """A deadline sweep at `moment`, running what it queues after commit (eager tasks)."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return sweep_all()


def escalation_of(incident) -> Escalation:
    return Escalation.objects.get(deadline__incident=incident)


def paths(server) -> list[str]:
    return [request.path for request in server.received]


def minutes(n) -> timedelta:
    return timedelta(minutes=n)
