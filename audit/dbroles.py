"""The two PostgreSQL roles of C24: an owner that holds every table and runs the migrations, and
the application's role, which owns nothing and may only SELECT and INSERT on the record tables.

Triggers refuse UPDATE and DELETE on the record, but a table's owner (or a superuser) can
switch them off (`ALTER TABLE … DISABLE TRIGGER`, `SET session_replication_role = replica`) or
empty the table (`TRUNCATE`, which fires no row trigger). The application's role can do none of
that: it is not the owner, not a superuser, and holds no TRUNCATE, UPDATE or DELETE privilege on
those tables. What remains possible to it on the record — INSERT — is what the hash chain checks.

`statements()` is the whole setup as SQL, idempotent: run it (manage.py db_roles) as a superuser
or as a role with CREATEROLE that is a member of the owner, after every `migrate`, since tables
a migration creates are owned by whoever ran it.
"""
from django.db import connection

# Append-only: the record (C24) and the audit's own logs of it.
RECORD_TABLES = (
    "incidents_timelineentry",
    "incidents_deadlinechange",
    "incidents_escalationchange",
    "audit_chainheadsnapshot",
    "audit_accesslog",
)
DEFAULT_APP_ROLE = "opinionops_app"
DEFAULT_OWNER_ROLE = "opinionops_owner"


def _ident(name: str) -> str:
    return connection.ops.quote_name(name)


def _create_role(role: str, password: str | None) -> str:
    # No IF NOT EXISTS for CREATE ROLE: a DO block keeps the setup idempotent. The role is
    # never a superuser, never creates roles or databases, and does not bypass row security.
    login = "LOGIN" if password is not None else "NOLOGIN"
    attributes = f"{login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    literal = role.replace("'", "''")
    sql = (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{literal}') THEN "
           f"CREATE ROLE {_ident(role)} {attributes}; END IF; END $$;\n"
           f"ALTER ROLE {_ident(role)} {attributes};")
    if password:
        escaped = password.replace("'", "''")
        sql += f"\nALTER ROLE {_ident(role)} PASSWORD '{escaped}';"
    return sql


def statements(app_role: str = DEFAULT_APP_ROLE, owner_role: str = DEFAULT_OWNER_ROLE, *,
               app_password: str | None = None, owner_password: str | None = None,
               create_roles: bool = True) -> list[str]:
    """The SQL that creates both roles (when missing), gives every table and sequence of the
    current database's public schema to the owner, and grants the application its rights."""
    app, owner = _ident(app_role), _ident(owner_role)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        cursor.execute("SELECT sequence_name FROM information_schema.sequences "
                       "WHERE sequence_schema = 'public'")
        sequences = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    sql = []
    if create_roles:
        sql += [_create_role(owner_role, owner_password), _create_role(app_role, app_password)]
    sql += [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {app}",
        # The migrations create the trusted extension pg_trgm (incidents 0013), which needs
        # CREATE on the database; the application's role gets no such right.
        f"GRANT CREATE ON DATABASE {_ident(database)} TO {owner}",
        f"ALTER SCHEMA public OWNER TO {owner}",
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {app}",
    ]
    for table in tables:
        name = _ident(table)
        sql.append(f"ALTER TABLE {name} OWNER TO {owner}")
        sql.append(f"REVOKE ALL ON {name} FROM PUBLIC, {app}")
        if table in RECORD_TABLES:
            sql.append(f"GRANT SELECT, INSERT ON {name} TO {app}")
        else:
            sql.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {app}")
    for sequence in sequences:
        sql.append(f"ALTER SEQUENCE {_ident(sequence)} OWNER TO {owner}")
        sql.append(f"GRANT USAGE, SELECT ON SEQUENCE {_ident(sequence)} TO {app}")
    # Functions the triggers call are the owner's too, so the application cannot replace them.
    with connection.cursor() as cursor:
        cursor.execute("SELECT p.oid::regprocedure::text FROM pg_proc p "
                       "JOIN pg_namespace n ON n.oid = p.pronamespace "
                       "WHERE n.nspname = 'public' AND p.proname LIKE 'opinionops%'")
        functions = [row[0] for row in cursor.fetchall()]
    sql += [f"ALTER FUNCTION {function} OWNER TO {owner}" for function in functions]
    return sql


def apply(*args, **kwargs) -> list[str]:
    sql = statements(*args, **kwargs)
    with connection.cursor() as cursor:
        # Deferred foreign-key checks still pending in this transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in sql:
            cursor.execute(statement)
    return sql
