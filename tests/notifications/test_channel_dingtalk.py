import base64
import hashlib
import hmac
from urllib.parse import quote_plus

import pytest
from django.core.exceptions import ValidationError

from notifications.channels import dingtalk
from notifications.channels.base import TransportError
from notifications.channels.dingtalk import DingTalkChannel

from .conftest import field_errors

SECRET = "SEC0123456789abcdef0123456789abcdef"

EXPECTED_TEXT = (
    "### 首报逾期\n\n"
    "**事件**：INC-2026-0042 某区网民聚集事件\n\n"
    "**事项**：首次报告\n\n"
    "**截止时间**：2026-11-23 14:30\n\n"
    "**状态**：已超时 15 分钟\n\n"
    "**预案条款**：C02\n\n"
    "**升级级别**：2\n\n"
    "请立即上报。\n\n"
    "[立即处理](https://ops.example.gov.cn/incidents/42/) | "
    "[确认收到](https://ops.example.gov.cn/ack/abc123/)"
)


def robot(server, **extra):
    config = {"url": f"{server.url}/robot/send?access_token=tok123",
              "base_url": f"{server.url}/robot/send", "timeout": 0.2, **extra}
    return DingTalkChannel(config)


def documented_sign(secret: str, timestamp_ms: str) -> str:
    # Straight from the 加签 instructions, written independently of the channel's code.
    string_to_sign = "{}\n{}".format(timestamp_ms, secret)
    hmac_code = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"),
                         digestmod=hashlib.sha256).digest()
    return base64.b64encode(hmac_code).decode()


def test_signed_markdown_reaches_the_robot_with_valid_sign(local_server, message, frozen_now):
    result = robot(local_server, secret=SECRET).send(message, None, "delivery-1")

    request = local_server.last
    assert request.method == "POST"
    assert request.path == "/robot/send"
    timestamp = request.query["timestamp"]
    assert timestamp == str(int(frozen_now.timestamp() * 1000))
    assert request.query["access_token"] == "tok123"
    assert request.query["sign"] == documented_sign(SECRET, timestamp)
    assert f"sign={quote_plus(documented_sign(SECRET, timestamp))}" in request.raw_query
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.json() == {"msgtype": "markdown",
                              "markdown": {"title": "首报逾期", "text": EXPECTED_TEXT}}
    assert '"errcode":0' in result.response


def test_sign_matches_published_vector():
    # Vector published with the `dingding` crate (docs.rs) for the same 加签 formula.
    assert dingtalk.sign("secret", 1700000000000) == \
        "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"


def test_unsigned_robot_gets_no_timestamp_or_sign(local_server, message):
    robot(local_server).send(message, None, "delivery-1")

    assert local_server.last.query == {"access_token": "tok123"}


def test_keyword_is_added_when_robot_requires_one(local_server, message):
    robot(local_server, keyword="舆情").send(message, None, "delivery-1")

    sent = local_server.last.json()["markdown"]
    assert sent["title"] == "舆情 首报逾期"
    assert sent["text"].startswith("舆情\n\n### 首报逾期")


def test_keyword_or_sign_rejection_is_permanent(local_server, message):
    local_server.reply(json_body={"errcode": 310000,
                                  "errmsg": "sign not match, more: [https://ding-doc…]"})

    with pytest.raises(TransportError) as excinfo:
        robot(local_server, secret=SECRET).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True
    assert "310000" in str(excinfo.value)
    assert "sign not match" in excinfo.value.response


def test_rate_limit_is_transient(local_server, message):
    local_server.reply(json_body={"errcode": 130101, "errmsg": "send too fast"})

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False


def test_server_error_is_transient(local_server, message):
    local_server.reply(status=500, text="upstream broke")

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False
    assert "HTTP 500" in str(excinfo.value)


def test_slow_robot_times_out_as_transient(local_server, message):
    local_server.reply(json_body={"errcode": 0}, delay=2.0)

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False
    assert "Timed out" in str(excinfo.value)


def test_unreachable_robot_is_transient(message):
    channel = DingTalkChannel({"url": "http://127.0.0.1:9/robot/send?access_token=t",
                               "base_url": "http://127.0.0.1:9/robot/send", "timeout": 0.2})

    with pytest.raises(TransportError) as excinfo:
        channel.send(message, None, "delivery-1")

    assert excinfo.value.permanent is False


def test_real_robot_url_and_secret_are_accepted():
    config = DingTalkChannel.validate_config(
        {"url": " https://oapi.dingtalk.com/robot/send?access_token=abc ", "secret": SECRET})

    assert config["url"] == "https://oapi.dingtalk.com/robot/send?access_token=abc"
    assert config["timeout"] == 10.0


@pytest.mark.parametrize("url", [
    "https://example.com/robot/send?access_token=abc",
    "https://oapi.dingtalk.com.evil.example/robot/send?access_token=abc",
    "http://oapi.dingtalk.com/robot/send?access_token=abc",
])
def test_url_outside_dingtalk_is_rejected(url):
    with pytest.raises(ValidationError) as excinfo:
        DingTalkChannel.validate_config({"url": url})

    assert "must start with https://oapi.dingtalk.com/robot/send" in field_errors(excinfo)["url"]


def test_url_without_access_token_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        DingTalkChannel.validate_config({"url": "https://oapi.dingtalk.com/robot/send"})

    assert "access_token" in field_errors(excinfo)["url"]


def test_secret_must_start_with_sec_and_url_is_required():
    with pytest.raises(ValidationError) as excinfo:
        DingTalkChannel.validate_config({"secret": "abc", "timeout": "soon"})

    errors = field_errors(excinfo)
    assert "required" in errors["url"]
    assert "start with 'SEC'" in errors["secret"]
    assert "number of seconds" in errors["timeout"]
