"""よくあるご質問 seeded with every question and answer of the manual's FAQ
chapter (INQ-9), so a fresh database has them (the data: inquiries/faq_seed.py)."""

from __future__ import annotations

from django.db import migrations

from inquiries.faq_seed import ensure_faq


def seed(apps, schema_editor) -> None:  # noqa: ANN001
    ensure_faq(apps.get_model("inquiries", "FaqCategory"), apps.get_model("inquiries", "FaqEntry"))


def unseed(apps, schema_editor) -> None:  # noqa: ANN001
    apps.get_model("inquiries", "FaqEntry").objects.all().delete()
    apps.get_model("inquiries", "FaqCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
