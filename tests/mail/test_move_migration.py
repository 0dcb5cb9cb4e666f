"""Issue 19: the outbox moved from notifications to mail with state-only
migrations. A database migrated on the code before the move keeps its table,
its rows and its content type (the admin permissions), and migrating forward
runs no statement against the table."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from mail.models import OutboxMessage
from tenants.scoping import operator_scope

TABLE = "notifications_outboxmessage"
BEFORE_THE_MOVE = [("notifications", "0002_notices"), ("mail", None)]
THE_MOVE = [("notifications", "0003_move_outbox_to_mail"), ("mail", "0001_initial")]


def test_issue19_the_model_keeps_its_table():
    assert OutboxMessage._meta.db_table == TABLE
    assert OutboxMessage._meta.app_label == "mail"


@pytest.mark.django_db(transaction=True)
def test_issue19_a_database_from_before_the_move_migrates_forward_untouched(capsys):
    # (One transactional test: SQLite's schema editor, which sqlmigrate and
    # the executor use, cannot run inside the usual test transaction.)
    for app, name in (("mail", "0001"), ("notifications", "0003")):
        call_command("sqlmigrate", app, name)
        sql = capsys.readouterr().out
        assert TABLE not in sql, sql
        assert not any(ddl in sql for ddl in ("CREATE TABLE", "DROP TABLE", "ALTER TABLE")), sql

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    # As on a database migrated on main before the move: a row in the table,
    # the outbox's content type under notifications.
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {TABLE} (template, "to", subject, body, html_body, from_email, status, attempts,'
            " last_error, created_at) VALUES ('t', '[\"a@example.com\"]', '件名', '本文', '', 'f@example.com',"
            " 'pending', 0, '', CURRENT_TIMESTAMP)"
        )
    ContentType.objects.filter(app_label="mail", model="outboxmessage").delete()
    ContentType.objects.get_or_create(app_label="notifications", model="outboxmessage")
    ContentType.objects.clear_cache()

    executor = MigrationExecutor(connection)
    with CaptureQueriesContext(connection) as queries:
        executor.migrate(THE_MOVE)
    assert not [q["sql"] for q in queries if TABLE in q["sql"]]
    # Later migrations of the outbox (issue 22: the values of a body left to
    # the worker) change the table as any migration; the row stays.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    with operator_scope():
        (row,) = OutboxMessage.objects.all()
    assert (row.subject, row.to, row.status) == ("件名", ["a@example.com"], OutboxMessage.Status.PENDING)
    assert ContentType.objects.filter(app_label="mail", model="outboxmessage").exists()
    assert not ContentType.objects.filter(app_label="notifications", model="outboxmessage").exists()
    executor = MigrationExecutor(connection)
    assert not executor.migration_plan(executor.loader.graph.leaf_nodes())
