"""The FAQ search reads normalised texts (issue 23; inquiries/search.py):
two columns filled for every entry, and the trigram index moved from the raw
texts (0003) to the normalised one. As in 0003, only PostgreSQL with pg_trgm
gets the index; elsewhere the search works unindexed."""

from __future__ import annotations

import unicodedata

from django.db import migrations, models

OLD_INDEX = "inquiries_faq_search_trgm"
INDEX = "inquiries_faq_text_search_trgm"


def _normalize(text: str) -> str:
    # A copy of inquiries.search.normalize: a migration keeps its own code.
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def fill(apps, schema_editor) -> None:  # noqa: ANN001
    entry_model = apps.get_model("inquiries", "FaqEntry")
    entries = list(entry_model.objects.all())
    for entry in entries:
        entry.question_search = _normalize(entry.question)
        entry.text_search = _normalize(f"{entry.question}\n{entry.answer}")
    entry_model.objects.bulk_update(entries, ["question_search", "text_search"])


def swap_index(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON inquiries_faqentry USING gin (text_search gin_trgm_ops)"
    )


def unswap_index(apps, schema_editor) -> None:  # noqa: ANN001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("inquiries", "0005_staff_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="faqentry",
            name="question_search",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="faqentry",
            name="text_search",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(swap_index, unswap_index),
    ]
