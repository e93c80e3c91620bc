import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl, quote_plus

import pytest
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.sms import aliyun
from notifications.channels.sms.aliyun import AliyunSmsChannel

from .conftest import Reply, field_errors

KEY_ID = "LTAI-test-id"
KEY_SECRET = "test-secret-value"


def documented_percent_encode(value: str) -> str:
    # The recipe in Alibaba Cloud's signature docs: form-encode, then fix +, * and ~.
    return quote_plus(value, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def server_side_signature(raw_query: str, secret: str) -> tuple[str, str]:
    """What dysmsapi does: rebuild StringToSign from the received query and sign it."""
    params = dict(parse_qsl(raw_query, keep_blank_values=True))
    received = params.pop("Signature")
    canonical = "&".join(f"{documented_percent_encode(k)}={documented_percent_encode(v)}"
                         for k, v in sorted(params.items()))
    string_to_sign = "GET&%2F&" + documented_percent_encode(canonical)
    digest = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return received, base64.b64encode(digest).decode()


def verifying_responder(request):
    received, expected = server_side_signature(request.raw_query, KEY_SECRET)
    if received != expected:
        body = {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched",
                "RequestId": "r-1"}
        return Reply(400, json.dumps(body).encode())
    body = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-1"}
    return Reply(200, json.dumps(body).encode())


def channel(server, secret=KEY_SECRET, **extra):
    return AliyunSmsChannel({"access_key_id": KEY_ID, "access_key_secret": secret,
                             "sign_name": "舆情值班", "template_code": "SMS_123456789",
                             "endpoint": f"{server.url}/", "timeout": 0.2, **extra})


def test_send_sms_is_signed_as_dysmsapi_verifies_it(local_server, message, frozen_now):
    local_server.responder = verifying_responder

    result = channel(local_server).send(message, "13800000000", "delivery-42")

    request = local_server.last
    params = request.query
    assert request.method == "GET" and request.path == "/"
    assert params["Action"] == "SendSms"
    assert params["Version"] == "2017-05-25"
    assert params["SignatureMethod"] == "HMAC-SHA1"
    assert params["SignatureVersion"] == "1.0"
    assert params["Timestamp"] == "2026-11-23T06:45:00Z"
    assert params["PhoneNumbers"] == "13800000000"
    assert params["SignName"] == "舆情值班"
    assert params["OutId"] == "delivery-42"
    assert json.loads(params["TemplateParam"]) == {
        "title": "首报逾期", "status": "已超时 15 分钟",
        "link": "https://ops.example.gov.cn/incidents/42/"}
    assert "+" not in request.raw_query
    assert result.provider_id == "900619746936498440^0"


def test_wrong_secret_is_a_permanent_signature_error(local_server, message):
    local_server.responder = verifying_responder

    with pytest.raises(TransportError) as excinfo:
        channel(local_server, secret="another-secret").send(message, "13800000000", "k")

    assert excinfo.value.permanent is True
    assert "SignatureDoesNotMatch" in str(excinfo.value)


def test_signature_matches_the_sms_documentation_example():
    params = {
        "AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
        "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25",
    }
    assert aliyun.signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_signature_matches_the_rpc_documentation_example():
    params = {"Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
              "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
              "SignatureVersion": "1.0", "Version": "2014-05-26",
              "Timestamp": "2016-02-23T12:46:24Z"}
    assert aliyun.signature(params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_percent_encoding_follows_pop_rules():
    assert aliyun.percent_encode("a b*~/+=") == "a%20b%2A~%2F%2B%3D"
    assert aliyun.percent_encode("派") == documented_percent_encode("派") == "%E6%B4%BE"


def test_business_flow_control_is_transient(local_server, message):
    local_server.reply(status=200, json_body={"Code": "isv.BUSINESS_LIMIT_CONTROL",
                                              "Message": "触发分钟级流控Permits:1"})

    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "13800000000", "k")

    assert excinfo.value.permanent is False
    assert "isv.BUSINESS_LIMIT_CONTROL" in str(excinfo.value)


def test_provider_rejection_is_permanent(local_server, message):
    local_server.reply(status=200, json_body={"Code": "isv.MOBILE_NUMBER_ILLEGAL",
                                              "Message": "非法手机号"})

    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "13800000000", "k")

    assert excinfo.value.permanent is True


def test_gateway_error_and_timeout_are_transient(local_server, message):
    local_server.reply(status=503, text="<html>busy</html>")
    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "13800000000", "k")
    assert excinfo.value.permanent is False

    local_server.reply(json_body={"Code": "OK"}, delay=2.0)
    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "13800000000", "k")
    assert excinfo.value.permanent is False


def test_missing_keys_and_unknown_template_fields_are_rejected():
    with pytest.raises(ValidationError) as excinfo:
        AliyunSmsChannel.validate_config({"access_key_id": "id",
                                          "template_params": ["title", "weather"]})

    errors = field_errors(excinfo)
    assert set(errors) == {"access_key_secret", "sign_name", "template_code", "template_params"}
    assert "Unknown template fields weather" in errors["template_params"]


def test_defaults_point_at_the_real_endpoint():
    config = AliyunSmsChannel.validate_config({
        "access_key_id": "id", "access_key_secret": "s", "sign_name": "n",
        "template_code": "SMS_1", "template_params": "incident, due, link"})

    assert config["endpoint"] == "https://dysmsapi.aliyuncs.com/"
    assert config["region_id"] == "cn-hangzhou"
    assert config["template_params"] == ["incident", "due", "link"]
