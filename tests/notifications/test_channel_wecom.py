import pytest
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.wecom import WeComChannel

from .conftest import field_errors

EXPECTED_CONTENT = (
    "### 首报逾期\n"
    "**事件**：INC-2026-0042 某区网民聚集事件\n"
    "**事项**：首次报告\n"
    "**截止时间**：2026-11-23 14:30\n"
    "**状态**：已超时 15 分钟\n"
    "**预案条款**：C02\n"
    "**升级级别**：2\n"
    "请立即上报。\n"
    "[立即处理](https://ops.example.gov.cn/incidents/42/) | "
    "[确认收到](https://ops.example.gov.cn/ack/abc123/)"
)


def robot(server):
    return WeComChannel({"url": f"{server.url}/cgi-bin/webhook/send?key=k-123",
                         "base_url": f"{server.url}/cgi-bin/webhook/send", "timeout": 0.2})


def test_markdown_reaches_the_group_robot(local_server, message):
    result = robot(local_server).send(message, None, "delivery-1")

    request = local_server.last
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "k-123"}
    assert request.json() == {"msgtype": "markdown", "markdown": {"content": EXPECTED_CONTENT}}
    assert "errcode" in result.response


def test_overlong_body_is_dropped_but_facts_and_links_remain(local_server, message):
    from dataclasses import replace
    long_message = replace(message, body="长" * 3000)

    robot(local_server).send(long_message, None, "delivery-1")

    content = local_server.last.json()["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("[确认收到](https://ops.example.gov.cn/ack/abc123/)")


def test_invalid_webhook_is_permanent(local_server, message):
    local_server.reply(json_body={"errcode": 93000, "errmsg": "invalid webhook url"})

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True
    assert "invalid webhook url" in str(excinfo.value)


def test_frequency_limit_is_transient(local_server, message):
    local_server.reply(json_body={"errcode": 45009, "errmsg": "api freq out of limit"})

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is False


def test_gateway_error_and_timeout_are_transient(local_server, message):
    local_server.reply(status=502, text="bad gateway")
    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")
    assert excinfo.value.permanent is False

    local_server.reply(json_body={"errcode": 0}, delay=2.0)
    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-2")
    assert excinfo.value.permanent is False


def test_http_client_error_is_permanent(local_server, message):
    local_server.reply(status=404, text="not found")

    with pytest.raises(TransportError) as excinfo:
        robot(local_server).send(message, None, "delivery-1")

    assert excinfo.value.permanent is True


def test_url_must_be_the_wecom_webhook_with_a_key():
    with pytest.raises(ValidationError) as excinfo:
        WeComChannel.validate_config({"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"})
    assert "key=" in field_errors(excinfo)["url"]

    with pytest.raises(ValidationError) as excinfo:
        WeComChannel.validate_config({"url": "https://example.com/send?key=x"})
    assert "must start with https://qyapi.weixin.qq.com" in field_errors(excinfo)["url"]

    with pytest.raises(ValidationError) as excinfo:
        WeComChannel.validate_config({})
    assert "required" in field_errors(excinfo)["url"]
