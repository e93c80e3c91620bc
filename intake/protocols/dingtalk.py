"""DingTalk (钉钉) group custom robot, receiving side of notifications.channels.dingtalk.

`POST /intake/dingtalk/robot/send?access_token=…[&timestamp=…&sign=…]`. With 加签 the sign is
base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded by the sender (the
query parser decodes it), timestamp in milliseconds, within an hour. Message types: text,
markdown, link, actionCard, feedCard. DingTalk answers every outcome with HTTP 200 and an
errcode: 0 ok, 300001 unknown token, 310000 signature, 460101 too long, 40035 bad parameter,
130101 sending too fast (over the pushes a minute allowed).
"""
import base64
import hashlib
import hmac

from ..links import Item, items_from_text
from .base import Protocol, Refusal, number, text_of


def sign(secret: str, timestamp_ms: int | str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), string_to_sign, hashlib.sha256)
                            .digest()).decode()


class DingTalk(Protocol):
    kind = "dingtalk"
    max_body_bytes = 20000
    bad_token = Refusal(300001, "token is not exist")
    too_large = Refusal(460101, "message too long, exceed 20000 bytes")
    not_json = Refusal(40035, "缺少参数 json")
    bad_sign = Refusal(310000, "sign not match, more: [https://open.dingtalk.com/document/"
                               "robots/customize-robot-security-settings]")
    sign_expired = Refusal(310000, "invalid timestamp: sign expired, more than one hour")

    @classmethod
    def rate_limited(cls, limit, retry_after):
        return Refusal(130101, f"send too fast, exceed {limit} times per minute",
                       retry_after=retry_after)

    @classmethod
    def success(cls):
        return {"errcode": 0, "errmsg": "ok"}, 200

    @classmethod
    def failure(cls, refusal):
        return {"errcode": refusal.code, "errmsg": refusal.message}, refusal.status

    @classmethod
    def verify(cls, secret, request, payload, now):
        timestamp = request.query.get("timestamp", "")
        millis = number(timestamp)
        expected = sign(secret, timestamp) if timestamp else ""
        cls.check_signature(expected, request.query.get("sign", ""),
                            millis / 1000 if millis is not None else None, now)

    @classmethod
    def items(cls, payload):
        msgtype = payload.get("msgtype")
        body = payload.get(msgtype) if isinstance(msgtype, str) else None
        if not isinstance(body, dict):
            raise Refusal(40035, f"不合法的参数 msgtype: {str(msgtype)[:40]}")
        if msgtype == "text":
            return items_from_text(text_of(body.get("content")))
        if msgtype == "markdown":
            return items_from_text(text_of(body.get("text")), title=text_of(body.get("title")))
        if msgtype == "link":
            url = text_of(body.get("messageUrl"))
            return [Item(title=text_of(body.get("title")) or url, url=url,
                         excerpt=text_of(body.get("text")))] if url else []
        if msgtype == "actionCard":
            found = items_from_text(text_of(body.get("text")), title=text_of(body.get("title")))
            links = [(text_of(body.get("singleTitle")), text_of(body.get("singleURL")))]
            links += [(text_of(b.get("title")), text_of(b.get("actionURL")))
                      for b in body.get("btns") or [] if isinstance(b, dict)]
            return found + [Item(title=t or text_of(body.get("title")) or u, url=u)
                            for t, u in links if u.startswith(("http://", "https://"))]
        if msgtype == "feedCard":
            return [Item(title=text_of(link.get("title")) or text_of(link.get("messageURL")),
                         url=text_of(link.get("messageURL")))
                    for link in body.get("links") or []
                    if isinstance(link, dict) and text_of(link.get("messageURL"))]
        raise Refusal(40035, f"不合法的参数 msgtype: {msgtype[:40]}")
