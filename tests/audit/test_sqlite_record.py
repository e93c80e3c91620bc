"""C24 on SQLite (no roles there): the record tables refuse DELETE as well as UPDATE, from raw
SQL too; only a flush of the whole database (manage.py flush, as the tests use between
transactional cases) may empty them."""
import sqlite3

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from incidents.models import DeadlineChange, EscalationChange, TimelineEntry
from tests.audit.stories import T, at, detect, minutes, report
from tests.audit.tampering import raw
from tests.support.sweeping import sweep_all

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="SQLite's triggers; PostgreSQL: test_roles")
TABLES = ("incidents_timelineentry", "incidents_deadlinechange", "incidents_escalationchange")


def history(org):
    incident = detect(org)
    with at(T + minutes(121)):
        sweep_all()
    report(org, incident, T + minutes(130))
    return incident


@sqlite_only
@pytest.mark.django_db
def test_c24_sqlite_refuses_delete_and_update_on_every_record_table(org):
    history(org)
    for table in TABLES:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            before = cursor.fetchone()[0]
        assert before > 0, table
        for sql in (f"DELETE FROM {table}", f"DELETE FROM {table} WHERE id = "
                    f"(SELECT max(id) FROM {table})", f"UPDATE {table} SET hash = ''"):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic():
                    raw(sql)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == before


@sqlite_only
@pytest.mark.django_db
def test_c24_sqlite_a_client_without_the_applications_function_cannot_delete(org):
    """The sqlite3 shell or any other program opening the file: the trigger's check fails."""
    history(org)
    # A second connection to the same file, not Django's: no opinionops_may_delete() there.
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
    try:
        with pytest.raises(sqlite3.OperationalError, match="opinionops_may_delete"):
            other.execute("DELETE FROM incidents_timelineentry")
    finally:
        other.close()


@sqlite_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_c24_sqlite_flush_still_empties_the_whole_database(org):
    history(org)
    assert TimelineEntry.objects.exists() and DeadlineChange.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not TimelineEntry.objects.exists()
    assert not DeadlineChange.objects.exists() and not EscalationChange.objects.exists()
    # The wipe is over: the triggers are in place and the function says no again.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE '%_no_delete'")
        assert cursor.fetchone()[0] == 3
        cursor.execute("SELECT opinionops_may_delete()")
        assert cursor.fetchone()[0] == 0


@sqlite_only
@pytest.mark.django_db
def test_c24_sqlite_every_record_trigger_survives_the_migrations():
    """A later migration that rebuilds a record table drops its triggers; this notices."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        triggers = set(cursor.fetchall())
    for table, update_trigger in [("incidents_timelineentry", "timeline_append_only"),
                                  ("incidents_deadlinechange", "deadlinechange_append_only"),
                                  ("incidents_escalationchange",
                                   "escalationchange_append_only")]:
        assert (update_trigger, table) in triggers
        assert (f"{table}_no_delete", table) in triggers
