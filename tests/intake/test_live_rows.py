"""C06: the lead list's rows are a fragment the page polls (htmx, every 500 ms); given the
stamp of the rows the page shows, the server answers 204 No Content until they change."""
import re

import pytest
from django.test import Client

from intake.links import Item
from intake.receiving import ingest

pytestmark = pytest.mark.django_db


def test_c06_lead_rows_answer_204_while_the_shown_rows_hold_then_the_new_rows(
        org, sources, clock):
    ingest(sources.api, [Item(title="第一条线索", url="https://weibo.com/1/a")], body={})
    duty = Client()
    duty.force_login(org.duty.user)
    page = duty.get("/intake/leads/").content.decode()
    poll = re.search(r'<tbody id="lead-rows"[^>]*hx-get="([^"]+)"', page, re.S)
    assert poll and 'hx-trigger="every 500ms"' in page and 'hx-swap="outerHTML"' in page
    url = poll.group(1).replace("&amp;", "&")
    assert "stamp=" in url

    unchanged = duty.get(url, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged["Cache-Control"] == "no-store"

    ingest(sources.api, [Item(title="新推送的线索", url="https://weibo.com/1/b")], body={})
    changed = duty.get(url, headers={"HX-Request": "true"})
    body = changed.content.decode()
    assert changed.status_code == 200
    assert body.lstrip().startswith("<tbody") or '<tbody id="lead-rows"' in body
    assert "新推送的线索" in body and "第一条线索" in body
    assert changed["X-Lead-Stamp"] in body  # the next poll sends the new stamp
