"""Send one test notification through a channel, to check its configuration end to end.

    manage.py send_test_message --channel dingtalk \\
        --to 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret SEC…
    manage.py send_test_message --channel email --to duty@example.gov.cn
    manage.py send_test_message --channel sms --provider aliyun --to 13800000000 \\
        --set sign_name=… --set template_code=SMS_…
        (keys from ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET)

It uses the same channel code as real deliveries and touches no database.
"""
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels.base import TransportError, truncate
from notifications.channels.registry import build_channel
from notifications.message import Message

ROBOT_CHANNELS = ("dingtalk", "wecom", "feishu", "webhook")
SMS_KINDS = {"aliyun": "sms_aliyun", "tencent": "sms_tencent", "gateway": "sms_gateway",
             "console": "console"}
# The providers' own SDK variable names, so existing deployments' environments just work.
ENV_KEYS = {
    "sms_aliyun": {"access_key_id": "ALIBABA_CLOUD_ACCESS_KEY_ID",
                   "access_key_secret": "ALIBABA_CLOUD_ACCESS_KEY_SECRET"},
    "sms_tencent": {"secret_id": "TENCENTCLOUD_SECRET_ID",
                    "secret_key": "TENCENTCLOUD_SECRET_KEY"},
}


class Command(BaseCommand):
    help = "Send a test notification through one channel and print the provider's answer."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True,
                            choices=[*ROBOT_CHANNELS, "email", "sms"])
        parser.add_argument("--to", required=True,
                            help="Robot or webhook URL, e-mail address, or phone number.")
        parser.add_argument("--secret", help="Signing secret (DingTalk, Feishu, webhook).")
        parser.add_argument("--provider", choices=sorted(SMS_KINDS), default="console",
                            help="SMS provider (with --channel sms).")
        parser.add_argument("--set", dest="set_values", action="append", default=[],
                            metavar="KEY=VALUE",
                            help="Any other channel configuration key, e.g. "
                                 "--set sign_name=… --set base_url=… --set timeout=5.")

    def handle(self, *args, **options):
        kind, config, recipient = self.channel_config(options)
        try:
            channel = build_channel(kind, config)
        except ValidationError as exc:
            problems = "; ".join(f"{field}: {' '.join(msgs)}"
                                 for field, msgs in exc.message_dict.items())
            raise CommandError(f"Invalid {kind} configuration: {problems}") from exc
        key = f"test-{uuid.uuid4().hex}"
        try:
            result = channel.send(test_message(), recipient, key)
        except TransportError as exc:
            kind_of_failure = "permanent" if exc.permanent else "transient"
            raise CommandError(f"{kind} send failed ({kind_of_failure}): {exc}") from exc
        self.stdout.write(truncate(result.response, 300))
        if result.provider_id:
            self.stdout.write(f"provider id: {result.provider_id}")

    def channel_config(self, options) -> tuple[str, dict, str | None]:
        extra = parse_config_pairs(options["set_values"])
        channel, to = options["channel"], options["to"]
        if channel in ROBOT_CHANNELS:
            config = {"url": to, **extra}
            if options["secret"]:
                config["secret"] = options["secret"]
            return channel, config, None
        if channel == "email":
            return "email", extra, to
        kind = SMS_KINDS[options["provider"]]
        env = {key: os.environ[var] for key, var in ENV_KEYS.get(kind, {}).items()
               if os.environ.get(var)}
        return kind, {**env, **extra}, to


def parse_config_pairs(pairs: list[str]) -> dict:
    config = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--set expects KEY=VALUE, got {pair!r}")
        config[key.strip()] = value
    return config


def test_message() -> Message:
    site = settings.SITE_URL
    return Message(
        title=_("测试消息"),
        incident_id="TEST",
        incident_title=_("通知渠道测试"),
        deadline_label=_("测试"),
        due_at=timezone.now() + timedelta(minutes=30),
        overdue_minutes=0,
        clause="C00",
        escalation_level=0,
        action_url=f"{site}/",
        ack_url=None,
        body=_("这是一条测试消息，无需处理。"),
    )
