"""A sample push of each kind, built and signed exactly as the provider's sender does: what the
admin's "send a sample" button sends through the same receiving path as a real push."""
import json
import time
from urllib.parse import parse_qsl, quote_plus

from django.utils import timezone

from .models import IntakeSource, SourceKind
from .protocols import dingtalk, feishu
from .protocols.base import Request

SAMPLE_TEXT = ("#### 舆情监测提醒\n"
               "1. [网传某校食堂饭菜变质 家长质疑监管](https://weibo.com/1234567890/Sample{n}) "
               "热度 1.2万\n")


def sample_request(source: IntakeSource) -> Request:
    """A signed request of the source's kind carrying one lead (its URL unique per call)."""
    n = time.time_ns()
    text = SAMPLE_TEXT.format(n=n)
    if source.kind == SourceKind.DINGTALK:
        query = {"access_token": source.token}
        if source.secret:
            stamp = int(timezone.now().timestamp() * 1000)
            # The sender URL-encodes the sign; the query parser hands it back decoded.
            query.update(parse_qsl(f"timestamp={stamp}&sign={dingtalk_quoted(source, stamp)}"))
        body = {"msgtype": "markdown", "markdown": {"title": "舆情监测提醒", "text": text}}
        return Request(source.token, query, json.dumps(body, ensure_ascii=False).encode())
    if source.kind == SourceKind.WECOM:
        body = {"msgtype": "markdown", "markdown": {"content": text}}
        return Request(source.token, {"key": source.token},
                       json.dumps(body, ensure_ascii=False).encode())
    body = {"msg_type": "interactive",
            "card": {"header": {"title": {"tag": "plain_text", "content": "舆情监测提醒"}},
                     "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}]}}
    if source.secret:
        stamp = int(timezone.now().timestamp())
        body |= {"timestamp": str(stamp), "sign": feishu.sign(source.secret, stamp)}
    return Request(source.token, {}, json.dumps(body, ensure_ascii=False).encode())


def dingtalk_quoted(source: IntakeSource, stamp: int) -> str:
    return quote_plus(dingtalk.sign(source.secret, stamp))
