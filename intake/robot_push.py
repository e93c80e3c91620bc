"""Push to an intake URL exactly as a DingTalk group robot's sender does (bin/demo-push).

A sender with 加签 appends `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256>` to the
webhook URL and POSTs a JSON markdown message; DingTalk answers `{"errcode":0,"errmsg":"ok"}`.
This is what TrendRadar and the commercial platforms do, so the demo goes through the same
path a real monitoring tool takes (no shortcut into the database).
"""
import json
import time
import urllib.request
from urllib.parse import quote_plus

from .protocols.dingtalk import sign

SAMPLE_POSTS = [
    ("网传市第七中学食堂饭菜变质 多名学生腹泻", "https://weibo.com/2803301701/Demo{n}a", "3.2万"),
    ("家长质疑某校课后服务变相补课收费", "https://www.douyin.com/video/73{n}", "1.1万"),
    ("某中学晚自习时长引热议", "https://tieba.baidu.com/p/8{n}", "4800"),
]


def markdown_message(n: int | None = None) -> dict:
    """A monitoring digest as the tools send it: a markdown list, one link per post."""
    n = n if n is not None else time.time_ns() // 1000
    lines = [f"{i}. [{title}]({url.format(n=n)}) 热度 {heat}"
             for i, (title, url, heat) in enumerate(SAMPLE_POSTS, start=1)]
    return {"msgtype": "markdown",
            "markdown": {"title": "舆情监测提醒",
                         "text": "#### 舆情监测提醒\n" + "\n".join(lines) + "\n"}}


def signed_url(webhook: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return webhook
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    return f"{webhook}&timestamp={stamp}&sign={quote_plus(sign(secret, stamp))}"


def push(webhook: str, secret: str, message: dict, *, timeout: float = 10) -> dict:
    """POST `message` to `webhook` signed with `secret`; the robot's JSON answer."""
    request = urllib.request.Request(
        signed_url(webhook, secret), data=json.dumps(message, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json;charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (our URL)
        return json.loads(response.read().decode())
