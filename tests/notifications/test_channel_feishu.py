import base64
import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from notifications.channels.base import TransportError
from notifications.channels.feishu import FeishuChannel

from .conftest import field_errors

SECRET = "feishu-secret-abc"


def bot(server, **extra):
    return FeishuChannel({"url": f"{server.url}/open-apis/bot/v2/hook/hook-id-1",
                          "base_url": f"{server.url}/open-apis/bot/v2/hook/", "timeout": 0.2,
                          **extra})


def documented_sign(timestamp: str, secret: str) -> str:
    # Feishu's published Python sample: the string to sign is the HMAC *key*, the message empty.
    string_to_sign = "{}\n{}".format(timestamp, secret)
    hmac_code = hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return base64.b64encode(hmac_code).decode("utf-8")


def test_signed_post_reaches_the_bot(local_server, message, frozen_now):
    local_server.reply(json_body={"code": 0, "data": {}, "msg": "success"})

    bot(local_server, secret=SECRET).send(message, None, "delivery-1")

    sent = local_server.last.json()
    assert local_server.last.path == "/open-apis/bot/v2/hook/hook-id-1"
    assert sent["timestamp"] == str(int(frozen_now.timestamp()))
    assert sent["sign"] == documented_sign(sent["timestamp"], SECRET)
    assert sent["msg_type"] == "post"
    assert sent["content"] == {"post": {"zh_cn": {"title": "首报逾期", "content": [
        [{"tag": "text", "text": "事件：INC-2026-0042 某区网民聚集事件"}],
        [{"tag": "text", "text": "事项：首次报告"}],
        [{"tag": "text", "text": "截止时间：2026-11-23 14:30"}],
        [{"tag": "text", "text": "状态：已超时 15 分钟"}],
        [{"tag": "text", "text": "预案条款：C02"}],
        [{"tag": "text", "text": "升级级别：2"}],
        [{"tag": "text", "text": "请立即上报。"}],
        [{"tag": "a", "text": "立即处理", "href": "https://ops.example.gov.cn/incidents/42/"},
         {"tag": "text", "text": "  "},
         {"tag": "a", "text": "确认收到", "href": "https://ops.example.gov.cn/ack/abc123/"}],
    ]}}}


def test_interactive_card_has_title_and_buttons(local_server, message):
    local_server.reply(json_body={"StatusCode": 0, "StatusMessage": "success"})

    bot(local_server, msg_type="interactive").send(message, None, "delivery-1")

    sent = local_server.last.json()
    assert "sign" not in sent and "timestamp" not in sent
    card = sent["card"]
    assert card["header"] == {"title": {"tag": "plain_text", "content": "首报逾期"},
                              "template": "red"}
    assert "**截止时间**：2026-11-23 14:30" in card["elements"][0]["text"]["content"]
    buttons = card["elements"][1]["actions"]
    assert [b["url"] for b in buttons] == ["https://ops.example.gov.cn/incidents/42/",
                                           "https://ops.example.gov.cn/ack/abc123/"]


def test_english_locale_uses_en_us_post_and_labels_fall_back(local_server, message):
    local_server.reply(json_body={"code": 0})

    with translation.override("en"):
        bot(local_server).send(message, None, "delivery-1")

    assert list(local_server.last.json()["content"]["post"]) == ["en_us"]


def test_sign_mismatch_is_permanent(local_server, message):
    local_server.reply(json_body={"code": 19021, "msg": "sign match fail or timestamp is not "
                                                        "within one hour from current time"})

    with pytest.raises(TransportError) as excinfo:
        bot(local_server, secret=SECRET).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True
    assert "sign match fail" in str(excinfo.value)


@pytest.mark.parametrize("code", [9499, 11232])
def test_rate_limit_is_transient(local_server, message, code):
    local_server.reply(json_body={"code": code, "msg": "too many request"})

    with pytest.raises(TransportError) as excinfo:
        bot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False


def test_server_error_and_timeout_are_transient(local_server, message):
    local_server.reply(status=503, text="unavailable")
    with pytest.raises(TransportError) as excinfo:
        bot(local_server).send(message, None, "delivery-1")
    assert excinfo.value.permanent is False

    local_server.reply(json_body={"code": 0}, delay=2.0)
    with pytest.raises(TransportError) as excinfo:
        bot(local_server).send(message, None, "delivery-2")
    assert excinfo.value.permanent is False


def test_real_feishu_and_lark_urls_are_accepted():
    for url in ("https://open.feishu.cn/open-apis/bot/v2/hook/abc",
                "https://open.larksuite.com/open-apis/bot/v2/hook/abc"):
        assert FeishuChannel.validate_config({"url": url})["msg_type"] == "post"


def test_bad_url_and_msg_type_are_rejected():
    with pytest.raises(ValidationError) as excinfo:
        FeishuChannel.validate_config({"url": "https://open.feishu.cn/open-apis/bot/v2/hook/",
                                       "msg_type": "text"})

    errors = field_errors(excinfo)
    assert "hook id" in errors["url"]
    assert "post, interactive" in errors["msg_type"]

    with pytest.raises(ValidationError) as excinfo:
        FeishuChannel.validate_config({"url": "https://example.com/hook/abc"})
    assert "must start with https://open.feishu.cn" in field_errors(excinfo)["url"]
