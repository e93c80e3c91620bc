import pytest
from django.core.exceptions import ValidationError

from notifications.channels import build_channel, channel_class, channel_kinds
from notifications.channels.dingtalk import DingTalkChannel


def test_every_kind_maps_to_its_class():
    assert channel_kinds() == ["console", "dingtalk", "email", "feishu", "sms_aliyun",
                               "sms_gateway", "sms_tencent", "webhook", "wecom"]
    for kind in channel_kinds():
        assert channel_class(kind).kind == kind


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(LookupError, match="known: console, dingtalk"):
        channel_class("pager")


def test_build_channel_validates_the_configuration():
    channel = build_channel("dingtalk",
                            {"url": "https://oapi.dingtalk.com/robot/send?access_token=a"})
    assert isinstance(channel, DingTalkChannel)

    with pytest.raises(ValidationError):
        build_channel("dingtalk", {"url": "https://example.com/"})
