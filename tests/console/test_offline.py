"""On an intranet with no internet, no page may need another host: every page each demo role
can reach by following links from its home is read, and any script, style, image, frame, font,
form target or link to another host fails the test. The only links out allowed are the
addresses the office itself recorded (an incident's original post, a lead's link): they are
the case's evidence, opened on purpose, and the page works without them."""
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from incidents.models import Incident
from intake.models import Lead
from tests.console.conftest import ROLES

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 120
SKIPPED = ("/accounts/logout", "/i18n/", "/notifications/ack/", "/static/", "/media/")
ATTRIBUTES = {"src", "href", "action", "data", "poster", "formaction", "srcset", "background",
              "manifest", "cite"}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)
ABSOLUTE = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+""")


class References(HTMLParser):
    """Every address a page refers to: (tag, attribute, value), and inline styles and scripts."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self._inline = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ATTRIBUTES:
                for part in value.split(",") if name == "srcset" else [value]:
                    self.found.append((tag, name, part.strip().split(" ")[0]))
            elif name == "style":
                self.found += [(tag, "style", url) for url in CSS_URL.findall(value)]
        self._inline = tag if tag in ("style", "script") else None

    def handle_data(self, data):
        if self._inline == "style":
            self.found += [("style", "url", url) for url in CSS_URL.findall(data)]
        elif self._inline == "script":
            self.found += [("script", "text", url) for url in ABSOLUTE.findall(data)]

    def handle_endtag(self, tag):
        self._inline = None


def foreign(address: str) -> bool:
    parts = urlsplit(address)
    return bool(parts.netloc) and parts.hostname not in ("testserver", None)


def recorded_links() -> set[str]:
    links = set(Incident.objects.values_list("source_url", flat=True))
    for extra in Incident.objects.values_list("source_links", flat=True):
        links.update(link if isinstance(link, str) else link.get("url", "") for link in extra)
    links.update(Lead.objects.values_list("url", flat=True))
    return links


def crawl(client: Client):
    """(path, status, references) of each HTML page reachable from `/`, breadth first."""
    queue, seen = deque(["/"]), {"/"}
    while queue and len(seen) <= PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path)
        kind = response.get("Content-Type", "")
        if response.status_code in (301, 302):
            target = urljoin(path, response["Location"])
            if not foreign(target) and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if "html" not in kind:
            yield path, response.status_code, []
            continue
        parser = References()
        parser.feed(response.content.decode())
        yield path, response.status_code, parser.found
        for tag, attribute, value in parser.found:
            if tag != "a" or attribute != "href":
                continue
            target = urljoin(path, value).split("#")[0]
            if not foreign(target) and target not in seen and not target.startswith(SKIPPED):
                seen.add(target)
                queue.append(target)


@pytest.mark.parametrize("username", ROLES)
def test_no_page_a_role_can_open_references_another_host(office, username):
    client = Client()
    client.force_login(office.users[username])
    allowed, pages, offending, broken = recorded_links(), 0, [], []
    for path, status, found in crawl(client):
        pages += 1
        if status >= 500:
            broken.append((path, status))
        offending += [(path, tag, attribute, value) for tag, attribute, value in found
                      if foreign(value) and not (tag == "a" and value in allowed)]
    assert pages > 5, f"{username} reached only {pages} pages"
    assert not broken, broken
    assert not offending, offending


def shipped(path: str) -> str:
    """A static file as the application ships it (the live server and whitenoise serve these)."""
    found = finders.find(path.removeprefix("/static/"))
    assert found, f"{path} is not among the application's static files"
    return Path(found).read_text(encoding="utf-8", errors="replace")


def test_the_api_docs_load_swagger_ui_from_this_server(office):
    client = Client()
    client.force_login(office.users["admin"])
    parser = References()
    parser.feed(client.get("/api/docs/").content.decode())
    scripts = [value for tag, attribute, value in parser.found
               if tag == "script" and attribute == "src"]
    styles = [value for tag, attribute, value in parser.found
              if tag == "link" and value.endswith(".css")]
    assert any(src.startswith("/static/drf_spectacular_sidecar/") for src in scripts)
    assert styles and all(href.startswith("/static/drf_spectacular_sidecar/") for href in styles)
    for path in scripts + styles:
        if path.startswith("/static/"):
            shipped(path)
        else:  # the page's own script, served by the view (no inline script under the CSP)
            assert client.get(path).status_code == 200, path
    assert not [value for _tag, _attribute, value in parser.found if foreign(value)]


def test_the_walk_catches_a_script_from_a_cdn():
    parser = References()
    parser.feed('<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@latest/x.js"></script>'
                '<style>@import "//fonts.example.com/a.css";</style><img src="/static/a.png">')
    assert [value for _tag, _attribute, value in parser.found if foreign(value)] == [
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@latest/x.js", "//fonts.example.com/a.css"]


def test_the_console_stylesheet_imports_nothing_from_another_host():
    body = shipped("/static/console/console.css")
    assert not [url for url in CSS_URL.findall(body) if foreign(url)]
