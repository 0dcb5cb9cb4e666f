from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="uploads.tasks.purge_staged_files")
def purge_staged_files() -> int:
    """Beat job (portal/settings/base.py): staged files older than a day."""
    from uploads.services import purge_staged_files as purge

    return purge(now=timezone.now())
