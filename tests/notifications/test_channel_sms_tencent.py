import hashlib
import hmac
import json
import re
from datetime import datetime, timezone

import pytest
from django.core.exceptions import ValidationError

from notifications.channels.base import TransportError
from notifications.channels.sms import tencent
from notifications.channels.sms.tencent import TencentSmsChannel

from .conftest import Reply, field_errors

SECRET_ID = "AKID-test-id"
SECRET_KEY = "test-secret-key"


def server_side_signature(request, secret_key: str) -> tuple[str, str]:
    """What the Tencent Cloud API gateway does: rebuild the TC3 signature from the request."""
    match = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/"
                         r"tc3_request, SignedHeaders=([\w;-]+), Signature=([0-9a-f]{64})",
                         request.headers["authorization"])
    assert match, request.headers["authorization"]
    _, date, service, signed_headers, received = match.groups()
    timestamp = request.headers["x-tc-timestamp"]
    assert date == datetime.fromtimestamp(int(timestamp), timezone.utc).strftime("%Y-%m-%d")
    canonical_headers = "".join(f"{name}:{request.headers[name].strip().lower()}\n"
                                for name in signed_headers.split(";"))
    canonical_request = (f"{request.method}\n/\n\n{canonical_headers}\n{signed_headers}\n"
                         + hashlib.sha256(request.body).hexdigest())
    string_to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
                      + hashlib.sha256(canonical_request.encode()).hexdigest())

    def step(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing_key = step(step(step(("TC3" + secret_key).encode(), date), service), "tc3_request")
    expected = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return received, expected


def verifying_responder(request):
    received, expected = server_side_signature(request, SECRET_KEY)
    if received != expected:
        body = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                       "Message": "The provided credentials could not be "
                                                  "validated."}, "RequestId": "r-1"}}
        return Reply(200, json.dumps(body).encode())
    sent = json.loads(request.body)
    body = {"Response": {"SendStatusSet": [{
        "SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": "+8613800000000",
        "Fee": 1, "SessionContext": sent["SessionContext"], "Code": "Ok",
        "Message": "send success", "IsoCode": "CN"}], "RequestId": "r-1"}}
    return Reply(200, json.dumps(body).encode())


def channel(server, secret_key=SECRET_KEY, **extra):
    return TencentSmsChannel({"secret_id": SECRET_ID, "secret_key": secret_key,
                              "sdk_app_id": 1400006666, "sign_name": "舆情值班",
                              "template_id": "1110",
                              "template_params": ["incident", "due", "link"],
                              "endpoint": server.url, "timeout": 0.2, **extra})


def test_send_sms_is_signed_as_the_api_gateway_verifies_it(local_server, message, frozen_now):
    local_server.responder = verifying_responder

    result = channel(local_server).send(message, "+8613800000000", "delivery-42")

    request = local_server.last
    assert request.method == "POST" and request.path == "/"
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.headers["x-tc-timestamp"] == str(int(frozen_now.timestamp()))
    assert "/2026-11-23/sms/tc3_request" in request.headers["authorization"]
    assert request.json() == {
        "PhoneNumberSet": ["+8613800000000"], "SmsSdkAppId": "1400006666",
        "SignName": "舆情值班", "TemplateId": "1110",
        "TemplateParamSet": ["某区网民聚集事件", "2026-11-23 14:30",
                             "https://ops.example.gov.cn/incidents/42/"],
        "SessionContext": "delivery-42",
    }
    assert result.provider_id == "5000:1045710669157053657849499619"


def test_authorization_matches_the_signature_v3_documentation_example():
    payload = (b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], '
               b'"Name": "instance-name"}]}')
    header = tencent.authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", host="cvm.tencentcloudapi.com",
        service="cvm", timestamp=1551113065, payload=payload)

    assert header == ("TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
                      "2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
                      "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")


def test_wrong_key_is_a_permanent_auth_failure(local_server, message):
    local_server.responder = verifying_responder

    with pytest.raises(TransportError) as excinfo:
        channel(local_server, secret_key="wrong").send(message, "+8613800000000", "k")

    assert excinfo.value.permanent is True
    assert "AuthFailure.SignatureFailure" in str(excinfo.value)


@pytest.mark.parametrize("code", ["RequestLimitExceeded", "LimitExceeded.DeliveryFrequencyLimit",
                                  "InternalError.Timeout"])
def test_request_level_limits_and_faults_are_transient(local_server, message, code):
    local_server.reply(json_body={"Response": {"Error": {"Code": code, "Message": "m"},
                                               "RequestId": "r"}})

    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "+8613800000000", "k")

    assert excinfo.value.permanent is False


def test_per_number_template_failure_is_permanent(local_server, message):
    local_server.reply(json_body={"Response": {"SendStatusSet": [{
        "Code": "FailedOperation.TemplateIncorrectOrUnapproved", "Message": "模板未审批",
        "SerialNo": ""}], "RequestId": "r"}})

    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "+8613800000000", "k")

    assert excinfo.value.permanent is True
    assert "TemplateIncorrectOrUnapproved" in str(excinfo.value)


def test_server_error_and_timeout_are_transient(local_server, message):
    local_server.reply(status=500, text="oops")
    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "+8613800000000", "k")
    assert excinfo.value.permanent is False

    local_server.reply(json_body={}, delay=2.0)
    with pytest.raises(TransportError) as excinfo:
        channel(local_server).send(message, "+8613800000000", "k")
    assert excinfo.value.permanent is False


def test_missing_credentials_are_rejected_and_defaults_are_real():
    with pytest.raises(ValidationError) as excinfo:
        TencentSmsChannel.validate_config({"secret_id": "id"})
    assert set(field_errors(excinfo)) == {"secret_key", "sdk_app_id", "sign_name", "template_id"}

    config = TencentSmsChannel.validate_config({
        "secret_id": "id", "secret_key": "k", "sdk_app_id": "1400000000", "sign_name": "s",
        "template_id": "1"})
    assert config["endpoint"] == "https://sms.tencentcloudapi.com"
    assert config["region"] == "ap-guangzhou"
