"""The benchmarks' own database: created when missing (not a bench script)."""

from __future__ import annotations


def ensure_database(url: str) -> None:
    """Create the database ``url`` names, through the server's ``postgres`` database."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
