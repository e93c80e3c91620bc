"""Tencent Cloud SMS (SendSms, API version 2021-01-11), signed with TC3-HMAC-SHA256.

Signature v3 (cloud.tencent.com / tencentcloud.com "Signature v3"):
CanonicalRequest = "POST\n/\n\n" + "content-type:…\nhost:…\n" + "\n" + "content-type;host\n"
                   + hex(sha256(body));
StringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + f"{date}/{service}/tc3_request\n"
               + hex(sha256(CanonicalRequest)), date being the UTC date of the timestamp;
key = HMAC chain "TC3"+SecretKey → date → service → "tc3_request";
Signature = hex(HMAC-SHA256(key, StringToSign)).
"""
import hashlib
import hmac
import json
from datetime import datetime, timezone
from urllib.parse import urlsplit

from notifications.channels import clock, http
from notifications.channels.base import (Channel, ConfigErrors, SendResult, TransportError,
                                         read_config, truncate)
from notifications.channels.sms.text import read_template_params, sms_fields

DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com"
SERVICE = "sms"
ACTION = "SendSms"
API_VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
# Frequency limits and Tencent-side faults pass; auth, parameter, template and signature
# errors do not.
TRANSIENT_PREFIXES = ("RequestLimitExceeded", "LimitExceeded", "InternalError",
                      "ResourceUnavailable")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def authorization(*, secret_id: str, secret_key: str, host: str, service: str, timestamp: int,
                  payload: bytes, content_type: str = CONTENT_TYPE) -> str:
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join([
        "POST", "/", "",
        f"content-type:{content_type}\nhost:{host}\n",
        signed_headers,
        hashlib.sha256(payload).hexdigest(),
    ])
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join([
        ALGORITHM, str(timestamp), scope,
        hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
    ])
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode("utf-8"), date), service), "tc3_request")
    sig = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{ALGORITHM} Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, " \
           f"Signature={sig}"


def is_transient(code: str) -> bool:
    return code.startswith(TRANSIENT_PREFIXES)


class TencentSmsChannel(Channel):
    kind = "sms_tencent"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(
            config, errors,
            required=["secret_id", "secret_key", "sdk_app_id", "sign_name", "template_id"],
            optional=["endpoint", "region", "template_params"])
        clean["endpoint"] = (clean["endpoint"] or DEFAULT_ENDPOINT).rstrip("/")
        parts = urlsplit(clean["endpoint"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.add("endpoint", f"Endpoint must be an absolute URL, got {clean['endpoint']!r}.")
        clean["region"] = clean["region"] or "ap-guangzhou"
        clean["template_params"] = read_template_params(clean["template_params"], errors)
        for key in ("sdk_app_id", "template_id"):
            clean[key] = str(clean[key]) if clean[key] is not None else None
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        if not recipient:
            raise TransportError("SMS needs a phone number", permanent=True)
        fields = sms_fields(message)
        payload = json.dumps({
            "PhoneNumberSet": [recipient],
            "SmsSdkAppId": self.config["sdk_app_id"],
            "SignName": self.config["sign_name"],
            "TemplateId": self.config["template_id"],
            "TemplateParamSet": [fields[name] for name in self.config["template_params"]],
            # Echoed back by Tencent in the reply and the receipts.
            "SessionContext": idempotency_key,
        }, ensure_ascii=False).encode("utf-8")
        host = urlsplit(self.config["endpoint"]).netloc
        timestamp = int(clock.now().timestamp())
        headers = {
            "Authorization": authorization(
                secret_id=self.config["secret_id"], secret_key=self.config["secret_key"],
                host=host, service=SERVICE, timestamp=timestamp, payload=payload),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": ACTION,
            "X-TC-Version": API_VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.config["region"],
        }
        response = http.request("POST", self.config["endpoint"] + "/", timeout=self.timeout,
                                headers=headers, data=payload)
        return read_reply(response)


def read_reply(response) -> SendResult:
    """A request-level Error, or one SendStatus per number whose Code must be 'Ok'."""
    http.raise_for_status(response)
    body = http.json_body(response).get("Response") or {}
    error = body.get("Error")
    if error:
        code = str(error.get("Code", ""))
        raise TransportError(f"Tencent Cloud SMS error {code}", permanent=not is_transient(code),
                             response=response.text)
    statuses = body.get("SendStatusSet") or []
    if not statuses:
        raise TransportError("Tencent Cloud answered without a send status", permanent=False,
                             response=response.text)
    status = statuses[0]
    code = str(status.get("Code", ""))
    if code != "Ok":
        raise TransportError(f"Tencent Cloud SMS error {code}", permanent=not is_transient(code),
                             response=response.text)
    return SendResult(response=truncate(response.text), provider_id=status.get("SerialNo"))
