"""A generic HTTP SMS gateway: an operator's or a carrier's endpoint taking phone and text.

The request is described by configuration: `url`, `method`, and a `body_template` (or, for
GET, the URL itself) holding {phone} and {text}, optionally {idempotency_key}. Values are
escaped for the content type the template is written in, so a JSON template stays JSON and a
form template stays a form.
"""
import json
from urllib.parse import quote, quote_plus, urlsplit

from notifications.channels import http
from notifications.channels.base import (Channel, ConfigErrors, SendResult, TransportError,
                                         read_config, truncate)
from notifications.channels.sms.text import render_sms_text

METHODS = ("GET", "POST", "PUT")
PLACEHOLDERS = ("{phone}", "{text}")
FORM = "application/x-www-form-urlencoded"


def fill(template: str, values: dict[str, str], escape) -> str:
    # str.replace, not str.format: JSON templates are full of literal braces.
    for name, value in values.items():
        template = template.replace("{" + name + "}", escape(value))
    return template


def escaper_for(content_type: str):
    if "json" in content_type:
        return lambda value: json.dumps(value, ensure_ascii=False)[1:-1]
    if content_type.startswith(FORM):
        return quote_plus
    return lambda value: value


class GatewaySmsChannel(Channel):
    kind = "sms_gateway"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, required=["url"],
                            optional=["method", "body_template", "content_type", "headers"])
        clean["method"] = (clean["method"] or "POST").upper()
        if clean["method"] not in METHODS:
            errors.add("method", f"Method must be one of {', '.join(METHODS)}.")
        clean["content_type"] = clean["content_type"] or "application/json"
        url = clean["url"]
        if url:
            parts = urlsplit(url.replace("{", "").replace("}", ""))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                errors.add("url", f"Gateway URL must be an absolute http(s) URL, got {url!r}.")
        template_field = "url" if clean["method"] == "GET" else "body_template"
        template = clean[template_field] or ""
        missing = [p for p in PLACEHOLDERS if p not in template]
        if template and missing:
            errors.add(template_field, f"The {template_field} must contain "
                                       f"{' and '.join(missing)}.")
        elif not template:
            errors.add(template_field, f"The {template_field} is required and must contain "
                                       "{phone} and {text}.")
        headers = clean["headers"] or {}
        if not isinstance(headers, dict):
            errors.add("headers", "Headers must be a mapping of header names to strings.")
        clean["headers"] = headers
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        if not recipient:
            raise TransportError("SMS needs a phone number", permanent=True)
        values = {"phone": recipient, "text": render_sms_text(message),
                  "idempotency_key": idempotency_key}
        headers = {**self.config["headers"], "Idempotency-Key": idempotency_key}
        if self.config["method"] == "GET":
            url = fill(self.config["url"], values, lambda value: quote(value, safe=""))
            body = None
        else:
            url = self.config["url"]
            content_type = self.config["content_type"]
            body = fill(self.config["body_template"], values,
                        escaper_for(content_type)).encode("utf-8")
            headers["Content-Type"] = content_type
        response = http.request(self.config["method"], url, timeout=self.timeout,
                                headers=headers, data=body)
        http.raise_for_status(response)
        return SendResult(response=truncate(response.text) or f"HTTP {response.status_code}")
