"""Search on PostgreSQL is served by the pg_trgm GIN indexes of incidents 0013: the query the
incident list and the board send (`UPPER(col::text) LIKE UPPER('%…%')`, Django's icontains)
matches the indexes' expression, so the planner can answer it from them. On SQLite the
migration does nothing (the default test database is migrated with it)."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents import actions
from tests.factories import incident_kwargs

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="pg_trgm is PostgreSQL's")


def search_queries(org, url):
    actions.detect_incident(org.duty.user, **incident_kwargs(
        title="实验室起火网传视频", owner_unit=org.department))
    client = Client()
    client.force_login(org.staff.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and "实验室起火网传视频" in response.content.decode()
    return [q["sql"] for q in captured.captured_queries if "LIKE UPPER" in q["sql"]]


def plan(sql):
    with connection.cursor() as cursor:
        # A handful of rows: without this the planner rightly reads the table itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_search_is_served_by_the_trigram_indexes(org):
    """The incident list searches every incident: its queries can be answered from the
    indexes. (The board's also filter on the open states, whose index the planner may prefer
    on a small table; at 100,000 incidents it combines both: README, console benchmark.)"""
    queries = search_queries(org, "/incidents/?q=实验室")
    assert queries, "the search sent no LIKE query"
    for sql in queries:
        explained = plan(sql)
        assert "incident_title_trgm_idx" in explained, explained
        assert "incident_summary_trgm_idx" in explained, explained


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
