import json
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.sms.gateway import GatewaySmsChannel

from .conftest import field_errors

SMS_TEXT = ("首报逾期：某区网民聚集事件，已超时 15 分钟（C02） "
            "https://ops.example.gov.cn/incidents/42/")


def gateway(server, **config):
    return GatewaySmsChannel({"url": f"{server.url}/sms/send", "timeout": 0.2, **config})


def test_json_template_gets_escaped_phone_and_text(local_server, message):
    local_server.reply(text='{"status":"queued","id":"m-1"}')
    template = '{"to": "{phone}", "content": "{text}", "ref": "{idempotency_key}"}'

    result = gateway(local_server, body_template=template,
                     headers={"X-Api-Key": "k"}).send(message, "13800000000", "delivery-42")

    request = local_server.last
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-api-key"] == "k"
    assert request.headers["idempotency-key"] == "delivery-42"
    assert request.json() == {"to": "13800000000", "content": SMS_TEXT, "ref": "delivery-42"}
    assert "queued" in result.response


def test_form_template_is_form_encoded(local_server, message):
    gateway(local_server, body_template="mobile={phone}&msg={text}",
            content_type="application/x-www-form-urlencoded").send(message, "13800000000", "k")

    form = parse_qs(local_server.last.body.decode())
    assert form == {"mobile": ["13800000000"], "msg": [SMS_TEXT]}


def test_get_gateway_takes_placeholders_in_the_url(local_server, message):
    channel = GatewaySmsChannel({"url": f"{local_server.url}/send?m={{phone}}&t={{text}}",
                                 "method": "get", "timeout": 0.2})

    channel.send(message, "13800000000", "k")

    assert local_server.last.method == "GET"
    assert local_server.last.query == {"m": "13800000000", "t": SMS_TEXT}


def test_quotes_in_the_text_keep_json_valid(local_server, message):
    from dataclasses import replace
    gateway(local_server, body_template='{"p":"{phone}","t":"{text}"}').send(
        replace(message, incident_title='"引号"事件'), "1", "k")

    assert '"引号"事件' in json.loads(local_server.last.body)["t"]


def test_errors_are_classified(local_server, message):
    channel = gateway(local_server, body_template="{phone}:{text}", content_type="text/plain")
    for status, permanent in ((500, False), (429, False), (400, True), (403, True)):
        local_server.reply(status=status, text=f"status {status}")
        with pytest.raises(TransportError) as excinfo:
            channel.send(message, "13800000000", "k")
        assert excinfo.value.permanent is permanent, status
        assert f"status {status}" in str(excinfo.value)

    local_server.reply(text="ok", delay=2.0)
    with pytest.raises(TransportError) as excinfo:
        channel.send(message, "13800000000", "k")
    assert excinfo.value.permanent is False


def test_template_without_placeholders_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        GatewaySmsChannel.validate_config({"url": "https://sms.example.com/send",
                                           "body_template": '{"to": "{phone}"}'})
    assert "must contain {text}" in field_errors(excinfo)["body_template"]

    with pytest.raises(ValidationError) as excinfo:
        GatewaySmsChannel.validate_config({"url": "https://sms.example.com/send?to={phone}",
                                           "method": "GET"})
    assert "must contain {text}" in field_errors(excinfo)["url"]

    with pytest.raises(ValidationError) as excinfo:
        GatewaySmsChannel.validate_config({"url": "sms.example.com", "method": "DELETE"})
    errors = field_errors(excinfo)
    assert "absolute http(s) URL" in errors["url"]
    assert "GET, POST, PUT" in errors["method"]
