"""Content-Security-Policy without inline script: every page an office member reaches from the
home page (and the login, admin and API docs pages) has no inline <script>, no event-handler
attribute (onclick=, onchange=…) and no javascript: link, and its policy's script-src does
not allow 'unsafe-inline' — so the policy that forbids inline script breaks no page."""
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.incidents.helpers import classify, detect, report

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
HREF = re.compile(r"""href="(/[^"#]*)""")
START = ["/", "/accounts/login/", "/admin/", "/admin/login/", "/api/docs/"]
SKIP = ("/static/", "/media/", "/accounts/logout", "/i18n/", "/api/schema")
LIMIT = 80


def inline_script(html: str) -> list[str]:
    # json_script's data blocks (type="application/json") are never run, so CSP allows them.
    found = [f"<script{attrs}>{body[:60]}" for attrs, body in SCRIPT.findall(html)
             if ("src=" not in attrs or body.strip()) and 'type="application/json"' not in attrs]
    found += HANDLER.findall(html) + JAVASCRIPT_URL.findall(html)
    return found


def test_inline_script_is_found_when_there_is_some():
    assert inline_script('<p><script>alert(1)</script></p>')
    assert inline_script('<select onchange="this.form.submit()">')
    assert inline_script('<a href="javascript:void(0)">')
    assert not inline_script('<script src="/static/x.js" defer></script><p>onchange=</p>')
    assert not inline_script('<script id="w" type="application/json">{"a": 1}</script>')


def test_no_served_page_has_inline_script_nor_a_policy_allowing_it(org):
    incident = report(org, detect(org, owner_unit=org.department))
    classify(org, incident)
    client = Client()
    client.force_login(org.staff.user)
    org.staff.user.is_staff = True
    org.staff.user.save()
    queue, seen, pages = list(START) + [f"/incidents/{incident.pk}/"], set(), 0
    while queue and pages < LIMIT:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert "'unsafe-inline'" not in directives["script-src"], url
        assert "'unsafe-eval'" not in directives["script-src"], url
        html = response.content.decode()
        assert inline_script(html) == [], url
        queue += [link for link in HREF.findall(html)
                  if not urlsplit(link).query and link not in seen]
    assert pages >= 10, f"only {pages} pages reached: {sorted(seen)}"
