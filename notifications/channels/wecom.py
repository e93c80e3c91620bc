"""WeCom (企业微信) group robot. The key in the URL is the only credential; there is no signing."""
from urllib.parse import parse_qs, urlsplit

from notifications.channels import markdown, robot_reply
from notifications.channels.base import Channel, ConfigErrors, check_url_prefix, read_config

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
# 45009: API call frequency over the limit; -1: system busy. 93000 (invalid webhook URL) and
# every other code are permanent.
TRANSIENT_CODES = frozenset({45009, -1})
# WeCom rejects markdown content over 4096 bytes.
MAX_CONTENT_BYTES = 4096


class WeComChannel(Channel):
    kind = "wecom"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors = ConfigErrors()
        clean = read_config(config, errors, required=["url"], optional=["base_url"])
        clean["base_url"] = clean["base_url"] or DEFAULT_BASE_URL
        url = clean["url"]
        check_url_prefix(errors, url, clean["base_url"])
        if url and not parse_qs(urlsplit(url).query).get("key", [""])[0]:
            errors.add("url", "WeCom robot URL must carry key=… "
                              "(copy the whole Webhook address from the group robot).")
        errors.raise_if_any()
        return clean

    def send(self, message, recipient, idempotency_key):
        content = markdown.render_markdown(message, line_break="\n")
        if len(content.encode("utf-8")) > MAX_CONTENT_BYTES:
            # The free body is the only unbounded part; the facts and links must get through.
            content = markdown.render_markdown(message, line_break="\n", include_body=False)
        payload = {"msgtype": "markdown", "markdown": {"content": content}}
        response = robot_reply.post_json(self.config["url"], payload, timeout=self.timeout)
        return robot_reply.check_reply(response, code_keys=("errcode",), provider="WeCom",
                                       transient_codes=TRANSIENT_CODES)
