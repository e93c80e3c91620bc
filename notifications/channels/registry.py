"""Which class handles which channel kind; the delivery layer stores the kind string."""
from notifications.channels.base import Channel
from notifications.channels.console import ConsoleChannel
from notifications.channels.dingtalk import DingTalkChannel
from notifications.channels.email import EmailChannel
from notifications.channels.feishu import FeishuChannel
from notifications.channels.sms.aliyun import AliyunSmsChannel
from notifications.channels.sms.gateway import GatewaySmsChannel
from notifications.channels.sms.tencent import TencentSmsChannel
from notifications.channels.webhook import WebhookChannel
from notifications.channels.wecom import WeComChannel
from notifications.inbox import InboxChannel

CHANNEL_CLASSES: dict[str, type[Channel]] = {
    cls.kind: cls
    for cls in (EmailChannel, AliyunSmsChannel, TencentSmsChannel, GatewaySmsChannel,
                ConsoleChannel, DingTalkChannel, WeComChannel, FeishuChannel, WebhookChannel)
}
# Every person has the in-app inbox without configuring it, so it is not among the kinds an
# office or a person chooses from, but deliveries build it through the same registry.
IMPLICIT_CHANNEL_CLASSES: dict[str, type[Channel]] = {InboxChannel.kind: InboxChannel}


def channel_kinds() -> list[str]:
    """The kinds that can be configured (the inbox is implicit and not listed)."""
    return sorted(CHANNEL_CLASSES)


def channel_class(kind: str) -> type[Channel]:
    try:
        return CHANNEL_CLASSES.get(kind) or IMPLICIT_CHANNEL_CLASSES[kind]
    except KeyError:
        known = ", ".join(channel_kinds())
        raise LookupError(f"Unknown channel kind {kind!r}; known: {known}") from None


def build_channel(kind: str, config: dict) -> Channel:
    """A ready channel; raises ValidationError when the configuration is not usable."""
    return channel_class(kind)(config)
