"""The PostgreSQL database every benchmark measures in: its own, beside the developer's."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "psql")


def bench_database_url(database_url: str, database: str, benchmark: str = "") -> str:
    """`database_url` with its database replaced by `database`; PostgreSQL only."""
    parts = urlsplit(database_url)
    if parts.scheme not in POSTGRES_SCHEMES:
        shown = f"'{parts.scheme}://…'" if database_url else "not set"
        module = f"bench.{benchmark}" if benchmark else "bench"
        raise SystemExit(
            f"{module} measures PostgreSQL only; DATABASE_URL is {shown}.\n"
            "Run it as: DATABASE_URL=postgres://postgres@127.0.0.1:5432/udhaengning "
            f".venv/bin/python -m {module}\n"
            f"(it creates and uses its own database '{database}' on that server)."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


def server_connection(url: str):
    """(an autocommit connection to the server's `postgres` database, the database named in `url`)."""
    import psycopg2

    parts = urlsplit(url)
    server = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username,
        "password": parts.password,
        "dbname": "postgres",
    }
    conn = psycopg2.connect(**{k: v for k, v in server.items() if v is not None})
    conn.autocommit = True
    return conn, parts.path.lstrip("/")


def ensure_database(url: str) -> bool:
    """Create the database named in `url` when it is missing; True when it was created."""
    from psycopg2 import sql

    conn, name = server_connection(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        conn.close()
