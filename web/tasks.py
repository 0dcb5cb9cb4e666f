from __future__ import annotations

from celery import shared_task


@shared_task(name="web.tasks.purge_completed_submissions")
def purge_completed_submissions_task() -> int:
    """Nightly: drop 確認 tokens that can no longer be posted (platform job:
    the table holds no tenant data)."""
    from web.submission import purge_completed_submissions

    return purge_completed_submissions()
