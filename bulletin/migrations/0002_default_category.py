"""お知らせ for every tenant that existed before the board (BBS-2); tenants
created later get it from bulletin.signals."""

from django.db import migrations


def create_default_categories(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Category = apps.get_model("bulletin", "Category")
    have = set(Category.objects.filter(is_default=True).values_list("tenant_id", flat=True))
    Category.objects.bulk_create(
        Category(tenant_id=pk, name="お知らせ", is_default=True, position=0)
        for pk in Tenant.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("bulletin", "0001_initial"),
        ("tenants", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_default_categories, migrations.RunPython.noop)]
