"""A bigram index for 2-character searches of the user list (issue 22).

pg_trgm cannot narrow a term of two characters (``LIKE '%佐藤%'`` has no
trigram), and most Japanese surnames and given names are two characters:
such a search scanned every index entry of the tenant (COUNT 157 ms at
100,000 users, against 5 ms with this index; docs/performance.md). Stock
PostgreSQL has no bigram operator class (pg_bigm is an extension we cannot
assume), so the index is a GIN over an array of the searched text's
bigrams; ``users.selectors.search_condition`` adds ``@> ARRAY[term]`` in
front of the exact ``LIKE`` arms for terms shorter than three characters.
The columns are joined by U+001F (never typed in a search) so that no
bigram spans two columns; GIN stores each distinct bigram of a row once. Other databases skip it (the search still works).
"""

from __future__ import annotations

from django.db import migrations

INDEX = "user_search_bigrams"
FUNCTION = """
CREATE OR REPLACE FUNCTION portal_user_bigrams(
  last_name text, first_name text, last_name_kana text, first_name_kana text, email text
) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT substr(t, i, 2) FROM (
      SELECT UPPER(concat_ws(chr(31), last_name, first_name, last_name_kana, first_name_kana, email)) AS t
    ) AS s, generate_series(1, char_length(t) - 1) AS i
  )
$$;
"""
# users.selectors.bigram_condition calls the function on the same columns
# (the planner matches the index by its expression).
EXPRESSION = "portal_user_bigrams(last_name, first_name, last_name_kana, first_name_kana, email)"


def forwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_user USING gin (({EXPRESSION}))")


def backwards(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_user_bigrams(text, text, text, text, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_tenant_user_count"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
