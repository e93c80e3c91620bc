"""WeCom (企业微信) group robot, receiving side of notifications.channels.wecom.

`POST /intake/wecom/cgi-bin/webhook/send?key=…`; the key is the only credential (no signing).
Message types: text, markdown, markdown_v2, news. WeCom answers with HTTP 200 and an errcode:
0 ok, 93000 invalid webhook url (unknown key), 40008 invalid message type, 40058 a parameter
that is missing or too long (text 2048 bytes, markdown 4096 bytes), 44004 empty content,
45009 over the pushes a minute allowed ("api freq out of limit").
"""
from ..links import Item, items_from_text
from .base import Protocol, Refusal, text_of

CONTENT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}


class WeCom(Protocol):
    kind = "wecom"
    max_body_bytes = 20000
    bad_token = Refusal(93000, "invalid webhook url, hint: [key not found]")
    too_large = Refusal(40058, "Warning: request body exceed max length 20000 bytes")
    not_json = Refusal(40058, "Warning: wrong json format.")
    bad_sign = Refusal(93000, "invalid webhook url")
    sign_expired = bad_sign

    @classmethod
    def rate_limited(cls, limit, retry_after):
        return Refusal(45009, "api freq out of limit", retry_after=retry_after)

    @classmethod
    def success(cls):
        return {"errcode": 0, "errmsg": "ok"}, 200

    @classmethod
    def failure(cls, refusal):
        return {"errcode": refusal.code, "errmsg": refusal.message}, refusal.status

    @classmethod
    def verify(cls, secret, request, payload, now):
        """WeCom robots have no signing: the key is the credential."""

    @classmethod
    def items(cls, payload):
        msgtype = payload.get("msgtype")
        body = payload.get(msgtype) if isinstance(msgtype, str) else None
        if msgtype not in (*CONTENT_LIMITS, "news") or not isinstance(body, dict):
            raise Refusal(40008, f"Warning: invalid message type {str(msgtype)[:40]}")
        if msgtype == "news":
            return [Item(title=text_of(a.get("title")) or text_of(a.get("url")),
                         url=text_of(a.get("url")), excerpt=text_of(a.get("description")))
                    for a in body.get("articles") or [] if isinstance(a, dict)]
        content = text_of(body.get("content"))
        if not content.strip():
            raise Refusal(44004, "Warning: empty content")
        limit = CONTENT_LIMITS[msgtype]
        if len(content.encode("utf-8")) > limit:
            raise Refusal(40058, f"Warning: {msgtype}.content exceed max length {limit}")
        return items_from_text(content)
