"""Batch inserts that cost a constant number of parameters, whatever the batch's size.

The sweep and the ladder insert hundreds of rows per batch (timeline entries, history rows,
escalations, notices, their recipients). Django's bulk_create sends one parameter per cell: a
500-row VALUES list of 17 columns is 8,500 parameters to adapt and a statement to compile, ~140
ms of Python per batch. On PostgreSQL `insert()` sends one array per column instead (INSERT …
SELECT FROM unnest(…) RETURNING id, ~50 ms); elsewhere it is bulk_create, or save() row by
row where the database cannot return the keys of a bulk insert (SQLite before 3.35).

It goes under the model's queryset: callers of chained records seal them first
(incidents.chain.bulk_insert does); nothing else here knows about the chain.
"""
import json

from django.db import models, transaction


def insert(rows: list) -> list:
    """Insert unsaved rows of one model; like bulk_create, set their pks and mark them saved."""
    if not rows:
        return rows
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        if connection.features.can_return_rows_from_bulk_insert:
            return models.QuerySet(type(rows[0])).bulk_create(rows)
        for row in rows:
            models.Model.save_base(row, force_insert=True)
        return rows
    model = type(rows[0])
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    arrays, unnested, selected = [], [], []
    for f in fields:
        values = [f.pre_save(row, True) for row in rows]
        column = quote(f.column)
        if isinstance(f, models.JSONField):  # as text, cast in the select list
            arrays.append([None if v is None else json.dumps(v, cls=f.encoder) for v in values])
            unnested.append("%s::text[]")
            selected.append(f"v.{column}::jsonb")
        else:
            arrays.append([f.get_db_prep_save(v, connection) for v in values])
            unnested.append(f"%s::{f.db_type(connection)}[]")
            selected.append(f"v.{column}")
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                       f"SELECT {', '.join(selected)} FROM unnest({', '.join(unnested)}) "
                       f"AS v({columns}) RETURNING {quote(model._meta.pk.column)}", arrays)
        ids = [row[0] for row in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, connection.alias
    return rows
