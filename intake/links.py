"""From a robot message's text to items, and from a URL to the key that deduplicates it.

Each link in the content becomes one item: `[title](url)` with its title, or a bare URL with
the rest of its line as the title. A message with no link is one item of its text. The key of
a URL ignores what differs between two shares of one post: the scheme, `www.`/mobile host
variants, tracking parameters, the fragment, parameter order and a trailing slash.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MARKDOWN_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\((https?://[^\s)]+)\)")
BARE_URL = re.compile(r"https?://[^\s<>\"'（）()\[\]，。、；]+")
# Markdown and list decorations around a title: "1. ", "- ", "**", "#", "> ", <font …>.
_DECORATION = re.compile(r"<[^>]+>|\*\*|__|`|^\s*(?:#+|>|[-*+]|\d+[.、)])\s*")
_TRAILING_PUNCT = ".,;:!?，。；：！？"

TRACKING_PARAMS = frozenset({
    "spm", "from", "isappinstalled", "share_token", "share_source", "share_medium",
    "share_from", "share_plat", "share_app_id", "shareid", "share_id", "sharer_shareid",
    "sharer_sharetime", "vd_source", "wfr", "scene", "clicktime", "enterid", "ref", "refer",
    "referer", "_t", "ts", "timestamp", "sessionid", "xhsshare", "apptime", "app_platform",
    "weibo_id", "sudaref", "display", "retcode", "mid_from", "ivk_sa", "bd_source",
})
TRACKING_PREFIXES = ("utm_", "share_", "sharer_")
MOBILE_HOST_PREFIXES = ("www.", "m.", "mobile.", "wap.", "3g.", "h5.", "touch.")
# Hosts whose mobile site has a name of its own.
HOST_ALIASES = {"weibo.cn": "weibo.com", "m.weibo.cn": "weibo.com", "v.douyin.com": "douyin.com",
                "iesdouyin.com": "douyin.com", "b23.tv": "bilibili.com"}


@dataclass(frozen=True)
class Metrics:
    """Figures of spread as a sender reports them (C07)."""

    clicks: int = 0
    comments: int = 0
    reposts: int = 0
    mainstream_sites: int = 0
    heat_index: Decimal | None = None
    observed_at: datetime | None = None


@dataclass(frozen=True)
class Item:
    """One thing a push reports: a link with its title, or a message without one."""

    title: str
    url: str = ""
    excerpt: str = ""
    platform: str = ""
    author: str = ""
    published_at: datetime | None = None
    metrics: Metrics | None = None
    raw: dict = field(default_factory=dict)


def clean_title(text: str) -> str:
    text = _DECORATION.sub("", text)
    text = _DECORATION.sub("", text.strip())  # "1. **标题**": the list mark, then the bold
    return " ".join(text.split()).strip(" -—|:：").strip()


def items_from_text(text: str, *, title: str = "", platform: str = "") -> list[Item]:
    """Items of a text or markdown message: one per link, or one of the whole text."""
    items, seen = [], set()
    for line in (text or "").splitlines():
        for item in _items_of_line(line, platform):
            if item.url not in seen:
                seen.add(item.url)
                items.append(item)
    if items:
        return items
    body = (text or "").strip()
    first = next((clean_title(line) for line in body.splitlines() if clean_title(line)), "")
    heading = clean_title(title) or first
    if not heading:
        return []
    return [Item(title=heading[:300], excerpt=body, platform=platform)]


def _items_of_line(line: str, platform: str) -> list[Item]:
    found = []
    for match in MARKDOWN_LINK.finditer(line):
        if match.group(1):  # an image
            continue
        url = match.group(3).rstrip(_TRAILING_PUNCT)
        label = clean_title(match.group(2)) or clean_title(MARKDOWN_LINK.sub("", line)) or url
        found.append(Item(title=label[:300], url=url, excerpt=clean_title(line), platform=platform))
    rest = MARKDOWN_LINK.sub(" ", line)
    for match in BARE_URL.finditer(rest):
        url = match.group(0).rstrip(_TRAILING_PUNCT)
        label = clean_title(BARE_URL.sub(" ", rest)) or url
        found.append(Item(title=label[:300], url=url, excerpt=clean_title(rest), platform=platform))
    return found


def normalise_url(url: str) -> str:
    """The URL as its key sees it (see the module docstring)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = HOST_ALIASES.get(host, host)
    for prefix in MOBILE_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    host = HOST_ALIASES.get(host, host)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def url_key(url: str) -> str:
    return hashlib.sha256(normalise_url(url).encode()).hexdigest() if url else ""
