"""Changing the record behind the application's back, as a database owner could: with the
append-only triggers bypassed (PostgreSQL: session_replication_role=replica; SQLite: the
triggers dropped). Each test runs in a transaction that is rolled back, triggers included."""
from django.db import connection

TRIGGERS = {"incidents_timelineentry": "timeline_append_only",
            "incidents_deadlinechange": "deadlinechange_append_only",
            "incidents_escalationchange": "escalationchange_append_only"}


def bypass_triggers(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGERS[table]}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def raw(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
