"""Trigram index for the FAQ keyword search (INQ-9).

The search is a substring match (``icontains`` → ``UPPER(col) LIKE
UPPER('%…%')``), which suits Japanese (no word splitting) but which a B-tree
cannot serve; a GIN trigram index on the same expressions can. The pg_trgm
extension is created by accounts 0005 when the role may; as there, other
databases (the SQLite demo) and a role without the extension skip the index
and the search still works, only unindexed.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "inquiries_faq_search_trgm"
COLUMNS = ("question", "answer")


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    expressions = ", ".join(f'UPPER(("{c}")::text) gin_trgm_ops' for c in COLUMNS)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON inquiries_faqentry USING gin ({expressions})")


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0002_seed_faq"),
        ("accounts", "0005_user_search_trgm"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
