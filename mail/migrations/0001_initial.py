"""The outbox moves from notifications to mail (issue 19) without touching
its table: this creates the model in mail's *state* only; the table
``notifications_outboxmessage`` was created by notifications.0001 and keeps
its name (``db_table``) and its rows. notifications.0003 removes the model
from notifications' state, after this one."""

import django.db.models.deletion
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    """Keep the admin permissions and log entries of the outbox: its content
    type moves with it (nothing to do on a fresh database)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="mail", model="outboxmessage").exists():
        ContentType.objects.using(db).filter(app_label="notifications", model="outboxmessage").update(
            app_label="mail"
        )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="notifications", model="outboxmessage").exists():
        ContentType.objects.using(db).filter(app_label="mail", model="outboxmessage").update(
            app_label="notifications"
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_notices"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("template", models.CharField(max_length=80, verbose_name="テンプレート")),
                        ("to", models.JSONField(default=list, verbose_name="宛先")),
                        ("subject", models.CharField(max_length=255, verbose_name="件名")),
                        ("body", models.TextField(verbose_name="本文")),
                        ("html_body", models.TextField(blank=True, verbose_name="HTML 本文")),
                        ("from_email", models.CharField(max_length=254, verbose_name="差出人")),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "送信待ち"), ("sending", "送信中"), ("sent", "送信済"), ("failed", "送信失敗")],
                                db_index=True,
                                default="pending",
                                max_length=10,
                                verbose_name="状態",
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0, verbose_name="試行回数")),
                        ("last_error", models.TextField(blank=True, verbose_name="最後のエラー")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="作成日時")),
                        ("claimed_until", models.DateTimeField(blank=True, null=True, verbose_name="送信予約期限")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="送信日時")),
                        (
                            "tenant",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="outbox_messages",
                                to="tenants.tenant",
                                verbose_name="テナント",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "送信メール",
                        "verbose_name_plural": "送信メール",
                        "db_table": "notifications_outboxmessage",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("status__in", ["pending", "sending"])),
                                fields=["created_at"],
                                name="outbox_unsent",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
