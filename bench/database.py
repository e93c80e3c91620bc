"""The benchmarks' own PostgreSQL database: made afresh before a run and dropped after it,
through the server's admin connection (BENCH_ADMIN_DATABASE_URL), never through Django."""


def _admin(admin_url: str):
    import psycopg

    return psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True)


def recreate(admin_url: str, name: str) -> None:
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(admin_url: str, name: str) -> None:
    with _admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
