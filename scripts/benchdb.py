"""The scripts' own PostgreSQL databases (benchmarks, drills), beside the one
``DATABASE_URL`` names and never that one (not a bench script)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def sibling_url(suffix: str, *, who: str) -> str:
    """``DATABASE_URL`` with ``suffix`` added to its database name; exits
    with the reason unless it is PostgreSQL."""
    base = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"{who}: PostgreSQL is required: set DATABASE_URL=postgres://… (got {base or 'nothing'})")
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def admin_url(url: str) -> str:
    """The same server's ``postgres`` database, to create and drop others from."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    """Create the database ``url`` names, through the server's ``postgres`` database."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
