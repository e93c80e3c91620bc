"""C24 on PostgreSQL: the application's role owns no table and may only SELECT and INSERT on
the record tables, so what the database owner could do behind the triggers' back — disable
them, switch replication role, truncate, update, delete — is refused to the application.

The roles are made by `manage.py db_roles` inside the test's transaction (roles and grants are
transactional in PostgreSQL, so the rollback removes them), then the test takes the
application's role with SET ROLE."""
import os
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import dbroles
from incidents.models import Event, Incident, TimelineEntry
from tests.audit.stories import T, at, detect, minutes
from tests.audit.tampering import raw

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="roles are PostgreSQL's (SQLite: test_sqlite_*)")

# Unique per run: roles are cluster-wide and other test runs share the server.
APP, OWNER = f"oo_test_app_{os.getpid()}", f"oo_test_owner_{os.getpid()}"


@contextmanager
def as_role(role):
    raw(f'SET ROLE "{role}"')
    try:
        yield
    finally:
        raw("RESET ROLE")


def refused(sql, params=()):
    """The statement fails for want of privilege, and the transaction goes on."""
    with pytest.raises(DatabaseError, match="permission denied|must be owner") as error:
        with transaction.atomic():
            raw(sql, params)
    return str(error.value)


@postgres_only
def test_c24_the_application_role_cannot_disable_triggers_truncate_update_or_delete(org):
    incident = detect(org)
    call_command("db_roles", app_role=APP, owner_role=OWNER)
    entry = TimelineEntry.objects.filter(incident=incident).first()
    with as_role(APP):
        for table, trigger in [("incidents_timelineentry", "timeline_append_only"),
                               ("incidents_deadlinechange", "deadlinechange_append_only"),
                               ("incidents_escalationchange", "escalationchange_append_only")]:
            refused(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            refused(f"TRUNCATE {table} CASCADE")
            refused(f"DELETE FROM {table}")
            refused(f"UPDATE {table} SET hash = ''")
        for table in ("audit_chainheadsnapshot", "audit_accesslog"):
            refused(f"TRUNCATE {table}")
            refused(f"DELETE FROM {table}")
        refused("SET session_replication_role = replica")
        # Nor can it replace the trigger's function or drop the trigger.
        refused("CREATE OR REPLACE FUNCTION opinionops_refuse_change() RETURNS trigger AS "
                "$$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql")
        refused("DROP TRIGGER timeline_append_only ON incidents_timelineentry")
        refused("ALTER TABLE incidents_timelineentry OWNER TO CURRENT_USER")
        # What it may do: read the record and append to it, chained as ever.
        assert TimelineEntry.objects.filter(pk=entry.pk).exists()
        with at(T + minutes(5)):
            TimelineEntry.objects.create(incident=incident, event=Event.NOTE,
                                         actor_name="系统", note="以应用角色追加")
        # and ordinary tables are read and written as usual.
        assert Incident.objects.filter(pk=incident.pk).update(title="改名") == 1
        raw("SELECT current_user")
    from audit.verify import verify
    assert verify([incident.pk]).ok


@postgres_only
def test_c24_db_roles_gives_every_table_to_the_owner_and_is_idempotent(org):
    call_command("db_roles", app_role=APP, owner_role=OWNER)
    call_command("db_roles", app_role=APP, owner_role=OWNER)  # again: no error
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                       "AND tableowner <> %s", [OWNER])
        assert cursor.fetchall() == []
        cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                       "WHERE rolname = %s", [APP])
        assert cursor.fetchone() == (False, False, False)
        for table in dbroles.RECORD_TABLES:
            cursor.execute("SELECT privilege_type FROM information_schema.role_table_grants "
                           "WHERE grantee = %s AND table_name = %s", [APP, table])
            assert sorted(row[0] for row in cursor.fetchall()) == ["INSERT", "SELECT"], table
        cursor.execute("SELECT privilege_type FROM information_schema.role_table_grants "
                       "WHERE grantee = %s AND table_name = 'incidents_incident'", [APP])
        assert sorted(row[0] for row in cursor.fetchall()) == ["DELETE", "INSERT", "SELECT",
                                                                "UPDATE"]


@postgres_only
def test_c24_db_roles_refuses_one_role_for_both():
    with pytest.raises(CommandError, match="must differ"):
        call_command("db_roles", app_role=APP, owner_role=APP)
