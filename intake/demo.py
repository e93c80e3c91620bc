"""The demo's monitoring sources (called from opinion_ops.demo.seed): a DingTalk robot source
with 加签, a WeCom and a Feishu one, a watch list and a 24-hour duty roster, so that
`bin/demo-push` makes leads the demo's duty officer (李明) sees and owns."""
from datetime import datetime, timedelta

from organisation.models import Person, Unit

from .models import DutyShift, IntakeSource, WatchRule
from .sources import create_source

DINGTALK_SOURCE = "识微舆情监测（钉钉机器人）"
DINGTALK_SECRET = "SECdemo0123456789abcdef0123456789abcdef0123456789abcdef01234567"
WECOM_SOURCE = "蚁坊舆情监测（企业微信机器人）"
FEISHU_SOURCE = "TrendRadar 热榜监测（飞书机器人）"
FEISHU_SECRET = "demo-feishu-sign-secret"


def seed(units: dict[str, Unit], people: dict[str, Person], now: datetime) -> list[IntakeSource]:
    """Sources of the duty officer's unit; today's shifts around `now`, the officer on duty
    now (so new leads are his) and the next shift for the night."""
    unit, duty, night = units["students"], people["duty"], people["monitor2"]
    sources = [create_source(kind="dingtalk", name=DINGTALK_SOURCE, unit_id=unit.pk,
                             secret=DINGTALK_SECRET),
               create_source(kind="wecom", name=WECOM_SOURCE, unit_id=unit.pk),
               create_source(kind="feishu", name=FEISHU_SOURCE, unit_id=unit.pk,
                             secret=FEISHU_SECRET)]
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    DutyShift.objects.bulk_create([
        DutyShift(unit=unit, person=duty, starts_at=start, ends_at=start + timedelta(hours=12)),
        DutyShift(unit=unit, person=night, starts_at=start + timedelta(hours=12),
                  ends_at=start + timedelta(hours=24)),
    ])
    WatchRule.objects.create(unit=unit, name="校园安全与学生权益",
                             keywords="食堂\n学生+腹泻\n校园欺凌\n补课", exclusions="招聘\n广告",
                             sensitive_topic=False)
    return sources
