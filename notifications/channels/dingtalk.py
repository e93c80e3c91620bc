"""DingTalk (钉钉) group custom robot.

Signing, when the robot's security setting is 加签: string_to_sign = f"{timestamp}\n{secret}"
with the timestamp in milliseconds, HMAC-SHA256 keyed with the secret, base64, then
URL-encoded and appended as &timestamp=…&sign=… (open.dingtalk.com, 自定义机器人安全设置).
"""
import base64
import hashlib
import hmac
from urllib.parse import parse_qs, quote_plus, urlsplit

from notifications.channels import clock, markdown, robot_reply
from notifications.channels.base import Channel, ConfigErrors, check_url_prefix, read_config

DEFAULT_BASE_URL = "https://oapi.dingtalk.com/robot/send"
# 130101: sending too fast; -1: system busy. 310000 (keyword, sign or IP rule failed) and
# every other code are permanent.
TRANSIENT_CODES = frozenset({130101, -1})


def sign(secret: str, timestamp_ms: int) -> str:
    """The URL-encoded `sign` query value for a robot whose security setting is 加签."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkChannel(Channel):
    kind = "dingtalk"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, required=["url"],
                            optional=["secret", "base_url", "keyword"])
        clean["base_url"] = clean["base_url"] or DEFAULT_BASE_URL
        url = clean["url"]
        check_url_prefix(errors, url, clean["base_url"])
        if url and not parse_qs(urlsplit(url).query).get("access_token", [""])[0]:
            errors.add("url", "DingTalk robot URL must carry access_token=… "
                              "(copy the whole Webhook address from the robot settings).")
        secret = clean["secret"]
        if secret and not secret.startswith("SEC"):
            errors.add("secret", "DingTalk signing secrets start with 'SEC'; copy it from the "
                                 "robot's 加签 setting.")
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        text = markdown.render_markdown(message, line_break="\n\n")
        keyword = self.config["keyword"]
        title = message.title
        # A robot protected by 自定义关键词 drops messages lacking the keyword.
        if keyword and keyword not in text:
            title = f"{keyword} {title}"
            text = f"{keyword}\n\n{text}"
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        response = robot_reply.post_json(self.signed_url(), payload, timeout=self.timeout)
        return robot_reply.check_reply(response, code_keys=("errcode",), provider="DingTalk",
                                       transient_codes=TRANSIENT_CODES)

    def signed_url(self) -> str:
        secret = self.config["secret"]
        if not secret:
            return self.config["url"]
        timestamp_ms = int(clock.now().timestamp() * 1000)
        return f"{self.config['url']}&timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"
