"""SQLite refuses DELETE on the record tables as well as UPDATE (C24).

0002 and 0006 refused only UPDATE on SQLite because Django's test flush empties tables with
DELETE. The DELETE triggers below let a row go only while opinionops_may_delete() says so, a
function this application registers on its own connections (incidents.chain) and which says
yes only inside `manage.py flush`. A client without it (the sqlite3 shell) cannot delete at all.

SQLite rebuilds a table to alter most columns, which drops its triggers: a later migration that
rebuilds one of these tables runs `reinstall_sqlite` afterwards (tests/audit/test_sqlite_record
checks that every trigger is in place after all migrations). PostgreSQL refuses DELETE already.
"""
from django.db import migrations

TABLES = ("incidents_timelineentry", "incidents_deadlinechange", "incidents_escalationchange")


def _forward(table):
    return (f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT opinionops_may_delete() "
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END;")


def reinstall_sqlite(schema_editor):
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
        schema_editor.execute(_forward(table))


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        reinstall_sqlite(schema_editor)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_playbook_steps")]
    operations = [migrations.RunPython(install, uninstall)]
