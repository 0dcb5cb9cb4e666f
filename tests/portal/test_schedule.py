"""The one beat schedule names only tasks that exist (DESIGN.md)."""

from __future__ import annotations

from django.conf import settings

from portal.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"{name}: {entry['task']} is not a registered task"
