"""Issue 19: the outbox's tasks moved to mail.tasks under their old names,
so a task queued before the deploy (by name, in Redis) and the beat entry
still find their code."""

from __future__ import annotations

import pytest
from django.conf import settings

from mail import tasks
from portal.celery import app

OLD_NAMES = {
    "notifications.tasks.deliver_outbox_message": tasks.deliver_outbox_message,
    "notifications.tasks.deliver_outbox_batch": tasks.deliver_outbox_batch,
    "notifications.tasks.sweep_outbox": tasks.sweep_outbox,
}
# Celery's Django fixup touches the connection when it imports the modules.
pytestmark = pytest.mark.django_db


def test_issue19_the_moved_tasks_answer_to_their_old_names():
    app.loader.import_default_modules()  # as a worker does at start
    for name, task in OLD_NAMES.items():
        assert task.name == name
        assert app.tasks[name].__module__ == "mail.tasks"


def test_issue19_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
