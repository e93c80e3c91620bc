"""Alibaba Cloud SMS (dysmsapi SendSms, API version 2017-05-25), RPC style over GET.

Signature v1 ("POP", help.aliyun.com 签名机制 / alibabacloud.com SMS "Signature method"):
sort every parameter but Signature by name; percent-encode names and values with UTF-8
(A-Z a-z 0-9 - _ . ~ kept, space as %20, never +); join as k=v with &; then
StringToSign = "GET&%2F&" + percentEncode(canonicalized);
Signature = base64(HMAC-SHA1(key=AccessKeySecret + "&", StringToSign)).
"""
import base64
import hashlib
import hmac
import json
import uuid
from datetime import timezone
from urllib.parse import quote, urlsplit

from notifications.channels import clock, http
from notifications.channels.base import (Channel, ConfigErrors, SendResult, TransportError,
                                         read_config, truncate)
from notifications.channels.sms.text import read_template_params, sms_fields

DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
API_VERSION = "2017-05-25"
# Flow control and server-side faults pass; a reused nonce is fixed by the next fresh one.
TRANSIENT_CODES = frozenset({
    "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "ServiceUnavailable", "InternalError",
    "SignatureNonceUsed",
})


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def canonicalize(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def signature(params: dict[str, str], access_key_secret: str, method: str = "GET") -> str:
    unsigned = {k: v for k, v in params.items() if k != "Signature"}
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonicalize(unsigned))}"
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def is_transient(code: str) -> bool:
    return code in TRANSIENT_CODES or code.startswith("Throttling")


class AliyunSmsChannel(Channel):
    kind = "sms_aliyun"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(
            config, errors,
            required=["access_key_id", "access_key_secret", "sign_name", "template_code"],
            optional=["endpoint", "region_id", "template_params"])
        clean["endpoint"] = clean["endpoint"] or DEFAULT_ENDPOINT
        parts = urlsplit(clean["endpoint"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add("endpoint", f"Endpoint must be an absolute URL, got {clean['endpoint']!r}.")
        clean["region_id"] = clean["region_id"] or "cn-hangzhou"
        clean["template_params"] = read_template_params(clean["template_params"], errors)
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        if not recipient:
            raise TransportError("SMS needs a phone number", permanent=True)
        fields = sms_fields(message)
        template_param = {name: fields[name] for name in self.config["template_params"]}
        params = {
            "AccessKeyId": self.config["access_key_id"],
            "Action": "SendSms",
            "Format": "JSON",
            # OutId is echoed in delivery receipts, tying them back to our delivery row.
            "OutId": idempotency_key,
            "PhoneNumbers": recipient,
            "RegionId": self.config["region_id"],
            "SignName": self.config["sign_name"],
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.config["template_code"],
            "TemplateParam": json.dumps(template_param, ensure_ascii=False),
            "Timestamp": clock.now().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        sig = signature(params, self.config["access_key_secret"])
        # Built by hand: the query must be byte-for-byte the string that was signed.
        url = f"{self.config['endpoint']}?Signature={percent_encode(sig)}&{canonicalize(params)}"
        response = http.request("GET", url, timeout=self.timeout)
        return read_reply(response)


def read_reply(response) -> SendResult:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "Code" not in body:
        http.raise_for_status(response)
        raise TransportError("Alibaba Cloud answered without a Code", permanent=False,
                             response=response.text)
    code = str(body["Code"])
    if code == "OK":
        return SendResult(response=truncate(response.text), provider_id=body.get("BizId"))
    raise TransportError(f"Alibaba Cloud SMS error {code}", permanent=not is_transient(code),
                         response=response.text)
