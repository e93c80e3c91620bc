"""Search on PostgreSQL is served by the pg_trgm GIN indexes of incidents 0013: the query the
incident list and the board send (`UPPER(col::text) LIKE UPPER('%…%')`, Django's icontains)
matches the indexes' expression, so the planner can answer it from them. On SQLite the
migration does nothing (the default test database is migrated with it)."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from incidents import actions, selectors
from incidents.models import Incident
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="pg_trgm is PostgreSQL's")


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
def test_search_is_served_by_the_trigram_indexes(org):
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="实验室起火网传视频", owner_unit=org.department))
    explained = search_plan("实验室")
    assert "Bitmap Index Scan on incident_title_trgm_idx" in explained, explained
    assert "Bitmap Index Scan on incident_summary_trgm_idx" in explained, explained
    assert [i.title for i in selectors.search(Incident.objects.all(), "实验室")] \
        == ["实验室起火网传视频"]


def test_the_board_and_the_list_search_through_the_indexed_query(org, monkeypatch):
    """Both pages' `q` goes through incidents.selectors.search: the query the plan above
    proves is served by the indexes is theirs."""
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="实验室起火网传视频", owner_unit=org.department))
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="食堂涨价", owner_unit=org.department))
    searched, search = [], selectors.search
    monkeypatch.setattr(selectors, "search",
                        lambda incidents, text: searched.append(text) or search(incidents, text))
    client = Client()
    client.force_login(org.staff.user)
    for url in ("/incidents/?q=实验室", "/board/?q=实验室"):
        searched.clear()
        html = client.get(url).content.decode()
        assert "实验室起火网传视频" in html and "食堂涨价" not in html, url
        assert searched == ["实验室"], url


@postgres_only
def test_the_trigram_indexes_and_extension_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes "
                       "WHERE tablename = 'incidents_incident' AND indexname LIKE '%trgm%'")
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()[0] == 1
    assert set(indexes) == {"incident_title_trgm_idx", "incident_summary_trgm_idx"}
    assert all("gin_trgm_ops" in definition for definition in indexes.values())


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
