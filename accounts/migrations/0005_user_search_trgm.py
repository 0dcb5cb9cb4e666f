"""Trigram index for the user list's ユーザ ID/姓名 search (USER-2).

The search is a substring match (``icontains`` → ``UPPER(col) LIKE UPPER(%s)``),
which a B-tree cannot serve; on PostgreSQL a GIN trigram index on the same
expressions can (100,000 users: see docs/users.md). Other databases (the
SQLite demo) skip it, and so does a PostgreSQL role that may not create the
extension: the search then still works, only slower.
"""

from __future__ import annotations

from django.db import migrations, transaction

COLUMNS = ("email", "last_name", "first_name", "last_name_kana", "first_name_kana")
INDEX = "user_search_trgm"


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    expressions = ", ".join(f'UPPER(("{c}")::text) gin_trgm_ops' for c in COLUMNS)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege: keep the plain (unindexed) search
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_user USING gin ({expressions})")


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_security"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
