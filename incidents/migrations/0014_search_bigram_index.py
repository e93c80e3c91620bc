"""Search (the board's and the incident list's `q`) on PostgreSQL served by a GIN index of the
title's and summary's characters and character pairs, in place of 0013's trigram indexes.

A trigram index cannot serve the searches an office types most: a two-character Chinese word
(食堂, 停电) holds no trigram, so pg_trgm's index answers `LIKE '%食堂%'` by reading every entry
and the search costs a scan of the whole table. pg_bigm, made for this, is not packaged for
the servers we run on, so the keys are made here in SQL:

- `opinionops_search_keys(title, summary)`: every character and every pair of adjacent
  characters of UPPER(title) and of UPPER(summary), as a text[]. The GIN index is on it.
- `opinionops_search_query_keys(q)`: the pairs of UPPER(q), or the character itself for a query
  of one character.

If UPPER(col) contains UPPER(q) (Django's icontains), every key of q is a key of col, so
`opinionops_search_keys(title, summary) @> opinionops_search_query_keys(q)` keeps every match and
the index answers it; incidents.selectors.search then rechecks with icontains, which removes
the rows whose keys match but whose text does not (堂食堂 holds both pairs of 食堂食, 食堂 and
堂食, and does not contain it). Both functions are IMMUTABLE (as UPPER is), so the query's
keys are computed once, at planning. Their names start with `opinionops` so that `manage.py
db_roles` (audit.dbroles) gives them to the owner role like the triggers' functions: the
application's role cannot replace what the index is built on.

The trigram indexes go: every revision of an incident rewrote three GIN indexes for one search.
The pg_trgm extension that 0013 creates stays (dropping it could fail on a server where
something else uses it). On SQLite this migration does nothing and the search is icontains.
"""
from django.db import migrations

KEYS = '''
CREATE OR REPLACE FUNCTION opinionops_search_keys(title text, summary text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(u.t, i, n)), '{}')
    FROM unnest(ARRAY[upper(title), upper(summary)]) AS u(t),
         generate_series(1, 2) AS n,
         generate_series(1, length(u.t) - n + 1) AS i
$$'''

QUERY_KEYS = '''
CREATE OR REPLACE FUNCTION opinionops_search_query_keys(query text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(query) < 2 THEN ARRAY[upper(query)]
           ELSE (SELECT array_agg(DISTINCT substr(upper(query), i, 2))
                 FROM generate_series(1, length(query) - 1) AS i) END
$$'''

INDEX = ('CREATE INDEX IF NOT EXISTS "incident_search_keys_idx" ON "incidents_incident" '
         'USING gin (opinionops_search_keys("title", "summary"))')

TRIGRAM_INDEXES = {"incident_title_trgm_idx": "title", "incident_summary_trgm_idx": "summary"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(KEYS)
    schema_editor.execute(QUERY_KEYS)
    schema_editor.execute(INDEX)
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "incidents_incident" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')
    schema_editor.execute('DROP INDEX IF EXISTS "incident_search_keys_idx"')
    schema_editor.execute("DROP FUNCTION IF EXISTS opinionops_search_query_keys(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS opinionops_search_keys(text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0013_search_trigram_indexes'),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
