"""Search on PostgreSQL is served by the GIN index of incidents 0014 (the characters and pairs of
characters of the title and summary): the key condition incidents.selectors.search adds is the
index's expression, so the planner answers it from the index, for a word of one, two or more
characters, and icontains rechecks the candidates. On SQLite the migration does nothing (the
default test database is migrated with it) and the search is icontains alone."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from incidents import actions, selectors
from incidents.models import Incident
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the search index is PostgreSQL's")


def search_plan(text):
    """The plan of the search alone (incidents.selectors.search, which the board and the list
    call). Without sequential and plain index scans, only bitmap scans on an index whose
    condition the search matches remain: on a table of a handful of rows the planner would
    otherwise rightly read the table itself."""
    sql, params = selectors.search(Incident.objects.all(), text).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize("word", ["实验室", "食堂", "堂", "Lab"])
def test_search_is_served_by_the_search_key_index(org, word):
    """A two-character word holds no trigram (0013's indexes read every entry for it): the
    key index serves words of one, two and three characters alike, case-insensitively."""
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="实验室起火网传视频", summary="LAB 火情", owner_unit=org.department))
    explained = search_plan(word)
    assert "Bitmap Index Scan on incident_search_keys_idx" in explained, explained
    assert "Seq Scan" not in explained, explained


SEARCHED = ["实验室起火网传视频", "食堂涨价", "堂食堂", "网传停电", "Lab 停电"]


@pytest.mark.parametrize("word", ["实验室", "食堂", "食堂食", "堂", "停电", "lab", "LAB",
                                  "网传", "电", "100%", "_", "起火网传视频", "没有的词"])
def test_search_finds_what_icontains_finds(org, word):
    """The key index only narrows the candidates: what the search returns is what icontains
    alone returns, on either database (堂食堂 holds both pairs of 食堂食 and is not a match)."""
    for title in SEARCHED:
        actions.detect_incident(org.duty.user, **incident_kwargs(
            title=title, summary="网民发帖。", owner_unit=org.department))
    everything = Incident.objects.all()
    expected = {i.title for i in everything
                if word.upper() in i.title.upper() or word.upper() in i.summary.upper()}
    assert {i.title for i in selectors.search(everything, word)} == expected
    assert {i.title for i in selectors.search(everything, word, indexed=False)} == expected


def test_the_list_searches_through_the_indexed_query_and_the_board_its_open_incidents(
        org, monkeypatch):
    """Both pages' `q` goes through incidents.selectors.search: the list, over every incident,
    with the index's condition the plan above proves is served; the board, whose open incidents
    each column reads by state, without it (the keys tested row by row cost more than the
    match itself)."""
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="实验室起火网传视频", owner_unit=org.department))
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="食堂涨价", owner_unit=org.department))
    searched, search = [], selectors.search
    monkeypatch.setattr(selectors, "search", lambda incidents, text, indexed=True: (
        searched.append((text, indexed)) or search(incidents, text, indexed=indexed)))
    client = Client()
    client.force_login(org.staff.user)
    for url, indexed in (("/incidents/?q=实验室", True), ("/board/?q=实验室", False)):
        searched.clear()
        html = client.get(url).content.decode()
        assert "实验室起火网传视频" in html and "食堂涨价" not in html, url
        assert searched == [("实验室", indexed)], url


@postgres_only
def test_the_search_key_index_replaces_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE tablename = 'incidents_incident' "
                       "AND (indexname LIKE '%%trgm%%' OR indexname LIKE '%%search%%')")
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT opinionops_search_keys('食堂a', 'Bc'), "
                       "opinionops_search_query_keys('食堂涨价'), opinionops_search_query_keys('a')")
        keys, query_keys, single = cursor.fetchone()
    assert set(indexes) == {"incident_search_keys_idx"}
    assert "USING gin (opinionops_search_keys" in indexes["incident_search_keys_idx"]
    assert sorted(keys) == sorted(["食", "堂", "A", "食堂", "堂A", "B", "C", "BC"])
    assert sorted(query_keys) == sorted(["食堂", "堂涨", "涨价"]) and single == ["A"]


@postgres_only
def test_db_roles_lets_the_owner_create_the_trusted_extension_and_not_the_app(org):
    """migrate runs as the owner role (C24): CREATE EXTENSION pg_trgm (trusted) needs CREATE on
    the database, which db_roles grants the owner and not the application's role."""
    import os
    app, owner = f"oo_test_app_trgm_{os.getpid()}", f"oo_test_owner_trgm_{os.getpid()}"
    call_command("db_roles", app_role=app, owner_role=owner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_database_privilege(%s, current_database(), 'CREATE'), "
                       "has_database_privilege(%s, current_database(), 'CREATE')", [owner, app])
        assert cursor.fetchone() == (True, False)
        # The index's functions are the owner's, like the triggers': the application's role
        # cannot replace what the search index is built on.
        cursor.execute("SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc "
                       "WHERE proname IN ('opinionops_search_keys', "
                       "'opinionops_search_query_keys')")
        assert [row[0] for row in cursor.fetchall()] == [owner]
