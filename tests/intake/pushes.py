"""Pushes built exactly as the senders build them: the URL and signature of
notifications.channels (the project's own senders, which follow the providers' documents) and
the message shapes monitoring tools send."""
import json
import time
from urllib.parse import urlsplit

from intake.sources import intake_url
from notifications.channels import dingtalk, feishu

MARKDOWN_REPORT = (
    "### 舆情监测日报 11-23 10:00\n"
    "1. [网传某校食堂饭菜变质 家长质疑监管](https://m.weibo.cn/status/4990001?from=timeline&utm_source=wx) **热度 1.2万**\n"
    "2. [某区教育局回应学生午餐问题](https://www.toutiao.com/article/7300000001/?share_token=abc&wid=1)\n"
    "3. 某中学教师体罚学生视频流传 https://www.douyin.com/video/7300000002\n"
)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def dingtalk_signed_path(source, secret: str, now_s: float | None = None) -> str:
    """The robot URL with 加签 appended, as DingTalkChannel.signed_url builds it."""
    stamp = int((now_s if now_s is not None else time.time()) * 1000)
    return path_of(f"{intake_url(source)}&timestamp={stamp}&sign={dingtalk.sign(secret, stamp)}")


def dingtalk_markdown(text: str = MARKDOWN_REPORT, title: str = "舆情监测日报") -> dict:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
            "at": {"atMobiles": [], "isAtAll": False}}


def wecom_markdown(content: str = MARKDOWN_REPORT) -> dict:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def feishu_interactive_text(secret: str | None, text: str = MARKDOWN_REPORT,
                            now_s: float | None = None) -> dict:
    """TrendRadar-style: msg_type interactive with the report in content.text."""
    payload = {"msg_type": "interactive", "content": {"text": text}}
    return _feishu_signed(payload, secret, now_s)


def feishu_card(secret: str | None, text: str = MARKDOWN_REPORT, now_s=None) -> dict:
    payload = {"msg_type": "interactive", "card": {
        "header": {"title": {"tag": "plain_text", "content": "舆情监测"}, "template": "red"},
        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": text}}]}}
    return _feishu_signed(payload, secret, now_s)


def _feishu_signed(payload: dict, secret: str | None, now_s) -> dict:
    if secret:
        stamp = int(now_s if now_s is not None else time.time())
        payload = {"timestamp": str(stamp), "sign": feishu.sign(secret, stamp), **payload}
    return payload


def body(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)
