"""Is this item a lead we already have? By normalised URL, or by a near-duplicate title.

Titles are compared with RapidFuzz (`fuzz.ratio` on the title with spaces and punctuation
removed, case folded): a well-kept C++ implementation of Levenshtein-based similarity with a
score cutoff, fast enough to compare an item against every lead of the window in one call, and
it works on Chinese characters as they are (no tokeniser needed, unlike token-set ratios).
Reposts of one story differ by a prefix ("转发：", "【热议】") or a trailing source name, which a
ratio of 90 on the whole title tolerates while different stories on one topic stay apart.
"""
import re
from datetime import datetime, timedelta

from django.conf import settings
from rapidfuzz import fuzz, process

from .models import Lead

_NOT_TITLE = re.compile(r"[\W_]+", re.UNICODE)
_PREFIX = re.compile(r"^(?:转发|转载|热议|热搜|【[^】]{0,8}】|\[[^\]]{0,8}\])[:：]?\s*")


def title_key(title: str) -> str:
    return _NOT_TITLE.sub("", _PREFIX.sub("", title.strip())).casefold()[:300]


def window() -> timedelta:
    return timedelta(hours=getattr(settings, "INTAKE_DEDUP_WINDOW_HOURS", 24))


class Seen:
    """The leads an incoming push is compared with: loaded once per push (one query for the
    URLs, one for the recent titles), extended as the push adds leads."""

    def __init__(self, url_keys: list[str], now: datetime):
        self.by_url = dict(Lead.objects.filter(url_key__in=[k for k in url_keys if k])
                           .values_list("url_key", "pk"))
        recent = (Lead.objects.filter(received_at__gte=now - window())
                  .exclude(title_key="").order_by("-received_at")
                  .values_list("title_key", "pk")[:settings.INTAKE_DEDUP_CANDIDATES])
        self.titles: list[str] = []
        self.title_ids: list = []
        for key, pk in recent:
            self.titles.append(key)
            self.title_ids.append(pk)

    def match(self, url_key: str, title_key: str) -> "int | Lead | None":
        """The lead this item repeats (its id, or the Lead itself when this push made it), or
        None."""
        if url_key and url_key in self.by_url:
            return self.by_url[url_key]
        if not title_key or not self.titles:
            return None
        found = process.extractOne(title_key, self.titles, scorer=fuzz.ratio,
                                   score_cutoff=settings.INTAKE_TITLE_SIMILARITY)
        return self.title_ids[found[2]] if found else None

    def add(self, lead: Lead) -> None:
        """A lead this push is making (not saved yet: it is kept as the object)."""
        if lead.url_key:
            self.by_url[lead.url_key] = lead
        if lead.title_key:
            self.titles.append(lead.title_key)
            self.title_ids.append(lead)
