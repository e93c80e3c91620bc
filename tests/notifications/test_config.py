"""Channel configuration: checked by the channel's own validation on clean and on save, shown
in the admin form, and testable from the admin with the same channel code."""
import json

import pytest
from django.core.exceptions import ValidationError

from notifications.channels import channel_class, channel_kinds
from notifications.models import ChannelConfig, PersonChannel

from .test_delivery_support import answer_like_providers, robot_configs

pytestmark = pytest.mark.django_db

NO_TOKEN = {"url": "https://oapi.dingtalk.com/robot/send"}


def test_bad_robot_config_is_rejected_with_the_channels_message(org):
    config = ChannelConfig(name="舆情办钉钉群", kind="dingtalk", unit=org.office, config=NO_TOKEN)
    with pytest.raises(ValidationError) as excinfo:
        config.full_clean()
    [message] = excinfo.value.message_dict["config"]
    assert message.startswith("url: DingTalk robot URL must carry access_token=…")

    with pytest.raises(ValidationError):
        config.save()  # the shell cannot store it either
    assert not ChannelConfig.objects.exists()


def test_admin_form_shows_the_config_error_and_saves_nothing(org, admin_client):
    response = admin_client.post("/admin/notifications/channelconfig/add/", {
        "name": "舆情办钉钉群", "kind": "dingtalk", "unit": org.office.pk,
        "config": json.dumps(NO_TOKEN), "enabled": "on"})
    assert response.status_code == 200
    assert "DingTalk robot URL must carry access_token" in response.content.decode()
    assert not ChannelConfig.objects.exists()

    response = admin_client.post("/admin/notifications/channelconfig/add/", {
        "name": "舆情办钉钉群", "kind": "dingtalk", "unit": org.office.pk,
        "config": json.dumps({**NO_TOKEN, "url": NO_TOKEN["url"] + "?access_token=abc"}),
        "enabled": "on"})
    assert response.status_code == 302
    assert ChannelConfig.objects.get().unit == org.office


def test_person_channel_needs_an_address_the_channel_can_use(org):
    with pytest.raises(ValidationError) as excinfo:
        PersonChannel(person=org.duty, kind="email").full_clean()
    assert "请填写邮箱地址" in excinfo.value.message_dict["address"][0]

    with pytest.raises(ValidationError) as excinfo:
        PersonChannel(person=org.duty, kind="sms_gateway", address="13800000000",
                      config={"url": "https://sms.example.cn/send"}).full_clean()
    assert "body_template" in excinfo.value.message_dict["config"][0]

    org.duty.user.email = "duty@example.gov.cn"
    org.duty.user.save()
    channel = PersonChannel.objects.create(person=org.duty, kind="email")
    assert channel.recipient() == "duty@example.gov.cn"


def test_person_channel_uses_a_shared_provider_account(org):
    account = ChannelConfig.objects.create(
        name="短信网关", kind="sms_gateway",
        config={"url": "https://sms.example.cn/send", "body_template": "{phone}:{text}"})
    org.duty.phone = "13900000000"
    org.duty.save()
    channel = PersonChannel.objects.create(person=org.duty, kind="sms_gateway", account=account)
    assert channel.effective_config["url"] == "https://sms.example.cn/send"
    assert channel.recipient() == "13900000000"
    with pytest.raises(ValidationError) as excinfo:
        PersonChannel(person=org.duty, kind="email", account=account).full_clean()
    assert "account" in excinfo.value.message_dict


def test_inbox_is_implicit_not_configurable():
    assert "inbox" not in channel_kinds()
    assert channel_class("inbox").kind == "inbox"
    assert "inbox" not in dict(ChannelConfig._meta.get_field("kind").choices)


def test_admin_send_test_message_uses_the_channel_code(org, admin_client, local_server):
    answer_like_providers(local_server)
    robot = ChannelConfig.objects.create(name="舆情办钉钉群", kind="dingtalk", unit=org.office,
                                         config=robot_configs(local_server, "office")["dingtalk"])
    hook = PersonChannel.objects.create(person=org.duty, kind="webhook",
                                        config=robot_configs(local_server, "duty")["webhook"])

    response = admin_client.post("/admin/notifications/channelconfig/", {
        "action": "send_test_message", "_selected_action": [robot.pk]}, follow=True)
    assert "已发送" in response.content.decode()
    assert "测试消息" in local_server.last.json()["markdown"]["text"]

    local_server.failures["/hooks/duty"] = 401
    response = admin_client.post("/admin/notifications/personchannel/", {
        "action": "send_test_message", "_selected_action": [hook.pk]}, follow=True)
    assert "发送失败" in response.content.decode() and "HTTP 401" in response.content.decode()
    assert local_server.last.path == "/hooks/duty"
