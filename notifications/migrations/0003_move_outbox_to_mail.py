"""The outbox now belongs to the mail app (issue 19): removed from
notifications' state only; the table stays, owned by mail.OutboxMessage
(mail.0001, which runs first)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mail", "0001_initial"),
        ("notifications", "0002_notices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxMessage")],
            database_operations=[],
        ),
    ]
