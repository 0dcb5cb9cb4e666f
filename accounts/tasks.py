"""Celery entry points of the account-security flows (thin).

The task keeps the name it had in ``accounts.tasks_auth`` (the beat schedule
and messages queued before a deploy use it)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.tasks_auth.purge_stale_security_rows")
def purge_stale_security_rows() -> dict[str, int]:
    """Daily beat job: finished tokens, stale failure counters, dead sessions."""
    from accounts.services.housekeeping import purge_stale_security_rows as purge

    return purge()


@shared_task
def answer_mail_request(kind: str, login_id: str) -> str:
    """The self-service mail pages' work, off the request (issue 21): the
    typed login ID, since looking it up in the request would time it."""
    from accounts.services.self_service import MailRequest
    from accounts.services.self_service import answer_mail_request as answer

    return answer(kind=MailRequest(kind), login_id=login_id)
