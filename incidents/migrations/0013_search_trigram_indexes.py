"""Search (the board's and the incident list's `q`) on PostgreSQL served by pg_trgm GIN indexes.

The search is `title__icontains` or `summary__icontains`, which Django's PostgreSQL backend
writes as `UPPER("title"::text) LIKE UPPER('%…%')`; so each index is on that expression, with
gin_trgm_ops, and the planner uses it for the LIKE. pg_trgm is a trusted extension (PostgreSQL
13+): the owner role that runs `migrate` may create it, given CREATE on the database, which
`manage.py db_roles` grants (audit.dbroles). On SQLite (the default tests, the demo) this
migration does nothing; the indexes are not in the models' state, so SQLite's table rebuilds
never try to make them.
"""
from django.db import migrations

INDEXES = {
    "incident_title_trgm_idx": "title",
    "incident_summary_trgm_idx": "summary",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "incidents_incident" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0012_related_units_and_major_procedure'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
