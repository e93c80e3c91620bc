"""Feishu / Lark custom bot (自定义机器人), receiving side of notifications.channels.feishu.

`POST /intake/feishu/open-apis/bot/v2/hook/<token>`. With 签名校验 the body carries
"timestamp" (seconds, a string) and "sign" = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
msg=b"")), within an hour. Message types: text (`content.text`), post (rich text, any locale),
interactive (a card's header and elements, JSON 1.0 `elements` or 2.0 `body.elements`, and
`content.text` as some senders put it). Feishu answers `code` 0 with msg "success"; 19001
unknown hook, 19021 signature, 19002 bad msg_type, 11232 over the pushes a minute allowed
("frequency limited", HTTP 200); a body it cannot read is HTTP 400 9499.
"""
import base64
import hashlib
import hmac

from ..links import Item, items_from_text
from .base import Protocol, Refusal, number, text_of


def sign(secret: str, timestamp: int | str) -> str:
    string_to_sign = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(string_to_sign, b"", hashlib.sha256).digest()).decode()


class Feishu(Protocol):
    kind = "feishu"
    max_body_bytes = 20 * 1024
    bad_token = Refusal(19001, "param invalid: incoming webhook access token invalid")
    too_large = Refusal(9499, "Bad Request: request body exceed 20KB", status=400)
    not_json = Refusal(9499, "Bad Request", status=400)
    bad_sign = Refusal(19021, "sign match fail or timestamp is not within one hour from "
                              "current time")
    sign_expired = bad_sign

    @classmethod
    def rate_limited(cls, limit, retry_after):
        return Refusal(11232, "frequency limited", retry_after=retry_after)

    @classmethod
    def success(cls):
        return {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {},
                "msg": "success"}, 200

    @classmethod
    def failure(cls, refusal):
        return {"code": refusal.code, "data": {}, "msg": refusal.message}, refusal.status

    @classmethod
    def verify(cls, secret, request, payload, now):
        timestamp = payload.get("timestamp")
        timestamp = str(timestamp) if isinstance(timestamp, (str, int)) else ""
        cls.check_signature(sign(secret, timestamp) if timestamp else "",
                            text_of(payload.get("sign")), number(timestamp), now)

    @classmethod
    def items(cls, payload):
        msg_type = payload.get("msg_type")
        content = payload.get("content") if isinstance(payload.get("content"), dict) else {}
        if msg_type == "text":
            return items_from_text(text_of(content.get("text")))
        if msg_type == "post":
            return _post_items(content.get("post"))
        if msg_type == "interactive":
            card = payload.get("card") if isinstance(payload.get("card"), dict) else {}
            return _card_items(card) + items_from_text(text_of(content.get("text")))
        raise Refusal(19002, f"params error, msg_type invalid: {str(msg_type)[:40]}")


def _post_items(post) -> list[Item]:
    """A rich-text post: each row's text, its `a` tags as markdown links."""
    if not isinstance(post, dict):
        return []
    items = []
    for locale in post.values():
        if not isinstance(locale, dict):
            continue
        lines = [_row_text(row) for row in locale.get("content") or [] if isinstance(row, list)]
        items += items_from_text("\n".join(lines), title=text_of(locale.get("title")))
        break  # the locales are translations of one message
    return items


def _row_text(row: list) -> str:
    parts = []
    for tag in row:
        if not isinstance(tag, dict):
            continue
        if tag.get("tag") == "a" and text_of(tag.get("href")):
            parts.append(f"[{text_of(tag.get('text'))}]({tag['href']})")
        else:
            parts.append(text_of(tag.get("text")))
    return "".join(parts)


def _card_items(card: dict) -> list[Item]:
    header = card.get("header") if isinstance(card.get("header"), dict) else {}
    title = header.get("title") if isinstance(header.get("title"), dict) else {}
    elements = card.get("elements")
    if not isinstance(elements, list):
        body = card.get("body") if isinstance(card.get("body"), dict) else {}
        elements = body.get("elements") if isinstance(body.get("elements"), list) else []
    lines = [line for element in elements for line in _element_lines(element)]
    return items_from_text("\n".join(lines), title=text_of(title.get("content")))


def _element_lines(element) -> list[str]:
    if not isinstance(element, dict):
        return []
    tag = element.get("tag")
    if tag == "markdown":
        return [text_of(element.get("content"))]
    if tag == "div":
        text = element.get("text") if isinstance(element.get("text"), dict) else {}
        lines = [text_of(text.get("content"))]
        for field in element.get("fields") or []:
            inner = field.get("text") if isinstance(field, dict) else None
            if isinstance(inner, dict):
                lines.append(text_of(inner.get("content")))
        return lines
    if tag == "action":
        return [f"[{text_of((b.get('text') or {}).get('content'))}]({b['url']})"
                for b in element.get("actions") or []
                if isinstance(b, dict) and text_of(b.get("url"))]
    if tag in ("column_set", "collapsible_panel"):
        nested = [e for c in element.get("columns") or [] if isinstance(c, dict)
                  for e in c.get("elements") or []] + list(element.get("elements") or [])
        return [line for e in nested for line in _element_lines(e)]
    return []
