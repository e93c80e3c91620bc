"""Database triggers that refuse UPDATE and DELETE on the timeline (C24).

On PostgreSQL both are refused. On SQLite (the embedded development database) only UPDATE is:
Django's test flush empties tables with DELETE there, and the ORM and the model refuse deletes
anyway; PostgreSQL's TRUNCATE-based flush fires no row triggers.
"""
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION opinionops_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON incidents_timelineentry
    FOR EACH ROW EXECUTE FUNCTION opinionops_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS timeline_append_only ON incidents_timelineentry;
DROP FUNCTION IF EXISTS opinionops_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER timeline_append_only BEFORE UPDATE ON incidents_timelineentry
BEGIN SELECT RAISE(ABORT, 'table incidents_timelineentry is append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS timeline_append_only;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
