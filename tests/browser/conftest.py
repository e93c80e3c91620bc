"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium, package
`chromium`, installed by .ci/run), headless, against pytest-django's live server. Never
Playwright's own browser download.

Every request the page makes to another host is refused and recorded, and a test fails if
there was one: the console must work with the network cable pulled. Screenshots go to
$OPINIONOPS_VAR_DIR/screenshots (bin/test gives each run its own var directory; set
OPINIONOPS_VAR_DIR to keep them).
"""
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from tests.support import console_office

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (seeding,
# checking the outcome) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OPINIONOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--lang=zh-CN"]
# The date and time pickers (<input type=datetime-local>) are drawn in Chromium's own UI locale,
# not the page's: on Linux it comes from LANGUAGE/LANG and needs the locale's .pak file, which
# Debian ships in `chromium-l10n` (.ci/run installs it). Without either they read
# "12/03/2026, 06:53 PM"; with both "2026/12/03 18:53", as an office in China sees them. The
# contexts also speak zh-CN (Accept-Language, navigator.language) on Asia/Shanghai time.
CHROMIUM_ENV = {"LANGUAGE": "zh_CN:zh", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
CHROMIUM_ZH_LOCALE = Path(os.environ.get("OPINIONOPS_CHROMIUM_LOCALES", "/usr/lib/chromium/locales"),
                          "zh-CN.pak")
LOCALE, TIMEZONE = "zh-CN", "Asia/Shanghai"
DESKTOP = {"width": 1360, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def migrations_data(django_db_setup) -> str:
    """The plans and roles the migrations made, as serialized when the test database was set
    up. Taken before Playwright starts: once it runs, the tests' code gets another Django
    connection (context variables), which lacks them; `office` hands them to it, so Django's
    serialized rollback works again for the transactional tests that follow these."""
    return connection._test_serialized_contents


@pytest.fixture(scope="session")
def chromium(migrations_data):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    if not CHROMIUM_ZH_LOCALE.exists():
        pytest.fail(f"{CHROMIUM_ZH_LOCALE} is missing, so date pickers would be drawn in English: "
                    "apt-get install chromium-l10n (.ci/run does)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env={**os.environ, **CHROMIUM_ENV})
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def office(transactional_db, django_db_serialized_rollback, migrations_data):
    """The live server's office: committed rows, on the plans and roles of the migrations.

    Every table is emptied and the migrations' data loaded back with its own keys (as
    tests/integration does): a transactional test before may have refilled content types
    and permissions under other keys."""
    connection._test_serialized_contents = migrations_data
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(migrations_data)
    return console_office.build()


class Session:
    """One browser context on the live server; `foreign` lists refused requests elsewhere."""

    def __init__(self, browser, base_url: str, screenshots: Path, viewport: dict):
        self.base_url, self.folder, self.foreign = base_url, screenshots, []
        self.context = browser.new_context(base_url=base_url, viewport=viewport,
                                           locale=LOCALE, timezone_id=TIMEZONE)
        self.context.set_default_timeout(15_000)
        host = urlsplit(base_url).netloc
        self.context.route("**/*", lambda route: self._guard(route, host))
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _guard(self, route, host):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https") and parts.netloc != host:
            self.foreign.append(route.request.url)
            return route.abort()
        return route.continue_()

    def log_in(self, user):
        self.page.goto("/accounts/login/")
        self.page.fill("input[name=username]", user.get_username())
        self.page.fill("input[name=password]", console_office.PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(self.base_url + "/")

    def shot(self, name: str):
        self.page.screenshot(path=str(self.folder / f"{name}.png"), full_page=True)


@pytest.fixture
def session(chromium, live_server, screenshots):
    sessions = []

    def open_session(viewport=DESKTOP):
        sessions.append(Session(chromium, live_server.url, screenshots, viewport))
        return sessions[-1]

    yield open_session
    for opened in sessions:
        opened.context.close()
    wait_for_requests_in_flight()
    for opened in sessions:
        assert not opened.foreign, f"requests to other hosts: {opened.foreign}"
        assert not opened.errors, f"script errors: {opened.errors}"


def wait_for_requests_in_flight(timeout: float = 15.0) -> None:
    """Let the live server finish what the closed pages sent last (a poll of a live section, a
    form). Otherwise the test's flush (TRUNCATE) can meet such a request's locks: PostgreSQL
    then reports a deadlock and the flush fails (seen in CI with three xdist workers). Each
    request runs on a thread of socketserver's ThreadingMixIn, named after its target."""
    give_up = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, give_up - time.monotonic()))


def open_step(page, slug: str):
    """Press a verb's button on the incident page and wait for its form, fetched in place
    (htmx); a form already open (sent back with errors) is used as it is."""
    card = page.locator(f"#step-{slug}")
    opener = card.locator("a[data-step-opener]")
    if opener.count():
        opener.click()
    expect(card.locator("form")).to_be_visible()
    return card
