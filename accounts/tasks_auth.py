"""Celery entry points of the account-security flows (thin). Listed in
CELERY_IMPORTS because autodiscovery only finds ``tasks`` modules."""

from __future__ import annotations

from celery import shared_task


@shared_task
def purge_stale_security_rows() -> dict[str, int]:
    """Daily beat job: finished tokens, stale failure counters, dead sessions."""
    from accounts.services.housekeeping import purge_stale_security_rows as purge

    return purge()
