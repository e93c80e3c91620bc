"""Batch inserts that cost a constant number of parameters, whatever the batch's size.

The sweep and the ladder insert hundreds of rows per batch (timeline entries, history rows,
escalations, notices, their recipients). Django's bulk_create sends one parameter per cell: a
500-row VALUES list of 17 columns is 8,500 parameters to adapt and a statement to compile,
~140 ms of Python per batch; one array per column (unnest) still had psycopg walk every cell.
On PostgreSQL `insert()` sends the whole batch as ONE JSON text that the server turns back
into rows (INSERT … SELECT FROM json_populate_recordset(NULL::table, %s) RETURNING id): the
encoding is json's C encoder, the parsing the server's. Elsewhere it is bulk_create, or save()
row by row where the database cannot return the keys of a bulk insert (SQLite before 3.35).

It goes under the model's queryset: callers of chained records seal them first
(incidents.chain.bulk_insert does); nothing here knows about the chain.
"""
import json
from datetime import date, datetime

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
    columns = [f.column for f in fields]
    cells = [_column(f, rows, connection) for f in fields]
    payload = json.dumps([dict(zip(columns, values)) for values in zip(*cells)],
                         ensure_ascii=False, separators=(",", ":"))
    table, listed = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM "
                       f"json_populate_recordset(NULL::{table}, %s::json) "
                       f"RETURNING {quote(model._meta.pk.column)}", [payload])
        ids = [row[0] for row in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding, row._state.db = False, connection.alias
    return rows


# Values JSON carries as the column wants them: most cells of a batch (a str for a text column,
# an int for an integer or a key), which then skip ~2 µs of field methods each.
_AS_IS = (str, int, bool, float, type(None))


def _column(field, rows: list, connection) -> list:
    """One column's cells as JSON values the server casts to the column's type."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        values = [field.pre_save(row, True) for row in rows]
    else:  # what Field.pre_save returns, without a call per cell
        values = [getattr(row, field.attname) for row in rows]
    if isinstance(field, models.JSONField):  # a JSON value of its own, nested as it is
        if field.encoder is None:
            return values
        return [None if v is None else json.loads(json.dumps(v, cls=field.encoder))
                for v in values]
    return [v if type(v) in _AS_IS
            else v.isoformat() if type(v) is datetime and v.tzinfo is not None
            else _prepared(field, v, connection) for v in values]


def _prepared(field, value, connection):
    value = field.get_db_prep_save(value, connection)
    if isinstance(value, datetime | date):
        # Full precision, with its offset: the chain's hashes cover recorded times to the µs.
        return value.isoformat()
    if value is None or type(value) in _AS_IS:
        return value
    return value if isinstance(value, str | int | float) else str(value)
