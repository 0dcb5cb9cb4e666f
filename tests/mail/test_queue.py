"""Issue 19: the broker-down guard exists once (mail.queue) and every task
queued after a commit goes through it, the user import included (which
raised after its commit before)."""

from __future__ import annotations

import logging

import pytest

from mail.queue import enqueue, enqueue_on_commit
from mail.tasks import deliver_outbox_message
from portal.celery import app
from tests.mail.test_outbox_broker import free_port, reset_broker_connections
from users.tasks import validate_user_import


@pytest.fixture
def broker_down():
    """The broker URL points at a port nobody listens on (a Redis outage)."""
    old = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False
    reset_broker_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = old
    reset_broker_connections()


def test_issue19_enqueue_logs_and_returns_false_when_the_broker_is_down(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="mail.queue"):
        assert enqueue(deliver_outbox_message, 123) is False
    assert "notifications.tasks.deliver_outbox_message(123)" in caplog.text


def test_issue19_a_commit_succeeds_when_its_task_cannot_be_queued(broker_down, db, caplog, django_capture_on_commit_callbacks):
    with (
        caplog.at_level(logging.WARNING, logger="mail.queue"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        enqueue_on_commit(validate_user_import, 7, tenant_id=1)
    assert len(callbacks) == 1  # it ran at commit, and raised nothing
    assert "accounts.tasks.validate_user_import(7, tenant_id=1)" in caplog.text


def test_issue19_enqueue_hands_the_task_over_when_the_broker_is_up(db, django_capture_on_commit_callbacks, mailoutbox):
    # The suite's eager mode stands in for a worker here: the task runs.
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(deliver_outbox_message, 999_999)
    assert deliver_outbox_message.apply(args=[999_999]).get() == "skipped"  # no such row: nothing sent
    assert enqueue(deliver_outbox_message, 999_999) is True
    assert mailoutbox == []
