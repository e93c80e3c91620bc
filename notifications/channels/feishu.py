"""Feishu / Lark custom bot (自定义机器人), as a rich-text post or an interactive card.

Signing, when 签名校验 is on: string_to_sign = f"{timestamp}\n{secret}" with the timestamp
in seconds; HMAC-SHA256 with string_to_sign as the KEY over an empty message; base64. The
body then carries "timestamp" (a string) and "sign" (open.feishu.cn, 自定义机器人使用指南).
"""
import base64
import hashlib
import hmac

from django.utils import translation

from notifications.channels import clock, robot_reply
from notifications.channels.base import Channel, ConfigErrors, check_url_prefix, read_config
from notifications.message import Message

DEFAULT_BASE_URLS = (
    "https://open.feishu.cn/open-apis/bot/v2/hook/",
    "https://open.larksuite.com/open-apis/bot/v2/hook/",
)
MSG_TYPES = ("post", "interactive")
# 9499 and 11232: request frequency limited. 19021 (signature mismatch) and every other code
# are permanent.
TRANSIENT_CODES = frozenset({9499, 11232})


def sign(secret: str, timestamp: int) -> str:
    string_to_sign = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(string_to_sign, b"", hashlib.sha256).digest()).decode()


class FeishuChannel(Channel):
    kind = "feishu"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, required=["url"],
                            optional=["secret", "base_url", "msg_type"])
        clean["msg_type"] = clean["msg_type"] or "post"
        if clean["msg_type"] not in MSG_TYPES:
            errors.add("msg_type", f"msg_type must be one of {', '.join(MSG_TYPES)}.")
        url = clean["url"]
        if url:
            bases = (clean["base_url"],) if clean["base_url"] else DEFAULT_BASE_URLS
            base = next((b for b in bases if url.startswith(b)), None)
            if base is None:
                check_url_prefix(errors, url, bases[0])
            elif not url[len(base):].strip("/"):
                errors.add("url", "Feishu bot URL must end with the hook id "
                                  "(copy the whole Webhook address from the bot settings).")
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        if self.config["msg_type"] == "interactive":
            payload = {"msg_type": "interactive", "card": render_card(message)}
        else:
            payload = {"msg_type": "post", "content": {"post": render_post(message)}}
        secret = self.config["secret"]
        if secret:
            timestamp = int(clock.now().timestamp())
            payload["timestamp"] = str(timestamp)
            payload["sign"] = sign(secret, timestamp)
        response = robot_reply.post_json(self.config["url"], payload, timeout=self.timeout)
        # Older Feishu answers carry StatusCode instead of code.
        return robot_reply.check_reply(response, code_keys=("code", "StatusCode"),
                                       provider="Feishu", transient_codes=TRANSIENT_CODES)


def _locale_key() -> str:
    return "en_us" if (translation.get_language() or "").startswith("en") else "zh_cn"


def render_post(message: Message) -> dict:
    rows = [[{"tag": "text", "text": f"{label}：{value}"}] for label, value in message.facts()]
    if message.body:
        rows.append([{"tag": "text", "text": message.body}])
    links = [{"tag": "a", "text": message.action_label(), "href": message.action_url}]
    if message.ack_url:
        links += [{"tag": "text", "text": "  "},
                  {"tag": "a", "text": message.ack_label(), "href": message.ack_url}]
    rows.append(links)
    return {_locale_key(): {"title": message.title, "content": rows}}


def render_card(message: Message) -> dict:
    facts = "\n".join(f"**{label}**：{value}" for label, value in message.facts())
    if message.body:
        facts += f"\n{message.body}"
    buttons = [{"tag": "button", "type": "primary", "url": message.action_url,
                "text": {"tag": "plain_text", "content": message.action_label()}}]
    if message.ack_url:
        buttons.append({"tag": "button", "type": "default", "url": message.ack_url,
                        "text": {"tag": "plain_text", "content": message.ack_label()}})
    return {
        "header": {"title": {"tag": "plain_text", "content": message.title},
                   "template": "red" if message.is_overdue else "orange"},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": facts}},
                     {"tag": "action", "actions": buttons}],
    }
