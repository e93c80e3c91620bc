"""Shared fixtures of the intake stories: a fixed clock, the office's sources, the pushes."""
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from intake.sources import create_source

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DING_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
FEISHU_SECRET = "feishu-sign-secret-abc123"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sources(org, clock):
    class Sources:
        dingtalk = create_source(kind="dingtalk", name="识微钉钉推送", unit_id=org.department.pk,
                                 secret=DING_SECRET)
        wecom = create_source(kind="wecom", name="蚁坊企业微信推送", unit_id=org.department.pk)
        feishu = create_source(kind="feishu", name="TrendRadar 飞书推送",
                               unit_id=org.department.pk, secret=FEISHU_SECRET)
        api = create_source(kind="api", name="清博接口", unit_id=org.department.pk)
    return Sources


def post_json(path: str, payload, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload,
                                                                        ensure_ascii=False)
    return Client().post(path, data=body, content_type="application/json", **extra)
