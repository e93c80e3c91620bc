"""Words (issue 14): every string the code marks for translation has an English translation in
the catalogue, the catalogue keeps no entry the code no longer uses (a stale 已排队生成%s，稍后
刷新页面下载 once promised a reload the page no longer needs), the compiled catalogue is the
one the .po says, and the Chinese pages every role reaches show no internal code."""
import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.console.conftest import ROLES
from tests.console.test_offline import crawl

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale/en/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")
ENTRY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$')


def entries(text: str) -> dict:
    """(msgctxt, msgid) → its msgstr values, for every live (not obsolete) entry of a .po/.pot."""
    found, current, field = {}, {}, None

    def flush():
        if "msgid" in current:
            key = (current.get("msgctxt"), current["msgid"])
            found[key] = [v for k, v in current.items() if k.startswith("msgstr")]

    for line in text.splitlines() + [""]:
        match = ENTRY.match(line)
        if match and match.group(1) in ("msgctxt", "msgid") and any(
                k.startswith("msgstr") for k in current):
            flush()
            current = {}
        if match:
            field = match.group(1)
            current[field] = eval(match.group(2))  # a C string literal, as the .po writes it
        elif line.startswith('"') and field:
            current[field] += eval(line)
        elif line.startswith("#~"):
            raise AssertionError(f"obsolete entry left in the catalogue: {line}")
    flush()
    return found


@pytest.fixture(scope="module")
def used_strings(tmp_path_factory) -> dict:
    """What makemessages extracts from the code (not the tests), in a copy of the tree."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext is missing: apt-get install gettext (.ci/run does)")
    copy = tmp_path_factory.mktemp("tree")
    tracked = subprocess.run(["git", "ls-files"], cwd=BASE, capture_output=True, text=True,
                             check=True).stdout.split()
    for name in tracked:
        if name.startswith(("tests/", "bench/")) or not (BASE / name).is_file():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BASE / name, copy / name)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--keep-pot",
                    "--no-location", "--ignore=venv", "--ignore=var", "--ignore=tests"],
                   cwd=copy, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "catalogue-test",
                        "DJANGO_SETTINGS_MODULE": "opinion_ops.settings"})
    pot = entries((copy / "locale/django.pot").read_text())
    return {key: value for key, value in pot.items() if key[1]}


def test_every_string_the_code_uses_has_an_english_translation(used_strings):
    catalogue = entries(PO.read_text())
    untranslated = [key[1] for key in used_strings
                    if not any(catalogue.get(key, []))]
    assert not untranslated, f"{len(untranslated)} without English: {untranslated[:20]}"


def test_the_catalogue_keeps_no_entry_the_code_no_longer_uses(used_strings):
    catalogue = entries(PO.read_text())
    stale = [key[1] for key in catalogue if key[1] and key not in used_strings]
    assert not stale, stale
    assert "#, fuzzy" not in PO.read_text()


def test_the_compiled_catalogue_is_the_po():
    with MO.open("rb") as compiled:
        mo = gettext.GNUTranslations(compiled)._catalog
    for (context, msgid), strings in entries(PO.read_text()).items():
        if not msgid:
            continue
        key = f"{context}\x04{msgid}" if context else msgid
        if len(strings) == 1:
            assert mo.get(key) == strings[0], (msgid, "recompile: msgfmt -o django.mo django.po")
        else:
            assert [mo.get((key, n)) for n in range(len(strings))] == strings, msgid


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style", "code", "pre")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style", "code", "pre") and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


# What an internal code looks like on a page: a snake_case value, a permission
# (app.codename) or a state, kind or role value said as it is stored.
CODE = re.compile(r"(?<![\w./-])(?:[a-z]+_[a-z_]+|(?:incidents|intake|referrals|responses|audit|"
                  r"notifications|briefings|plans|organisation)\.[a-z_]+)(?![\w/-])")


@pytest.mark.parametrize("username", [r for r in ROLES if r != "admin"])
def test_the_chinese_pages_show_no_internal_code(office, username):
    client = Client()
    client.force_login(office.users[username])
    leaks = []
    for path, status, _found in crawl(client):
        if path.startswith(("/admin/", "/api/")) or status != 200:
            continue
        page = client.get(path)
        if "html" not in page.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(page.content.decode())
        text = " ".join(parser.parts)
        leaks += [(path, code) for code in CODE.findall(text)]
    assert not leaks, leaks
