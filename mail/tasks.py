"""The outbox's Celery entry points (MAIL-1).

Each keeps the dotted name it had when the outbox lived in notifications
(``name=``), so tasks queued before a deploy, the beat schedule and the
drills' task names still resolve (issue 19)."""

from __future__ import annotations

import smtplib
import socket

from celery import shared_task

# Errors worth another try: the network or the provider is having a moment.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
    socket.timeout,
)
MAX_RETRIES = 8


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TRANSIENT_ERRORS):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500  # 4xx = try again later
    try:
        from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover
        return False
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None)
        return status is None or status >= 500 or status == 429
    return False


@shared_task(name="notifications.tasks.deliver_outbox_message", bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_outbox_message(self, message_id: int) -> str:
    """Deliver one outbox row. Retries transient failures with exponential
    backoff; a permanent failure (bad address, rejected) is marked and not
    retried. Safe to run twice: the claim lets only one run send."""
    from mail import services

    message = services.claim(message_id)
    if message is None:
        return "skipped"
    try:
        services.deliver(message)
    except Exception as exc:
        if _is_transient(exc) and self.request.retries < MAX_RETRIES:
            delay = services.retry_delay(self.request.retries)
            services.mark_retry(message, repr(exc), retry_in=delay)
            raise self.retry(exc=exc, countdown=delay.total_seconds()) from exc
        services.mark_failed(message, repr(exc))
        return "failed"
    services.mark_sent(message)
    return "sent"


# Rows the sweep re-queues a run (every minute): after Redis lost its data,
# 10,000 lost mails go out in two runs instead of twenty.
SWEEP_LIMIT = 5_000


@shared_task(name="notifications.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Beat job: queue again what is stuck (idempotent: delivery claims), in
    batches of ``BULK_CHUNK`` over one mail connection each, as a bulk send
    is; a row queued here is not queued again for ``OUTBOX_STUCK_AFTER``."""
    from mail import services

    ids = services.take_stuck(limit=SWEEP_LIMIT)
    services.queue_batches(ids)
    return len(ids)


@shared_task(name="notifications.tasks.deliver_outbox_batch", acks_late=True)
def deliver_outbox_batch(message_ids: list[int]) -> dict[str, int]:
    """Deliver a chunk of a bulk send over one mail connection, each row marked
    as it goes (``services.deliver_claimed``): killed mid-batch, it resends at
    most one mail when it runs again.

    A message that fails transiently goes back to pending with a backoff and
    the sweep re-queues it on its own; a permanent failure is marked failed.
    """
    from django.core.mail import mailers

    from mail import services

    messages = services.claim_many(message_ids)
    if not messages:
        return {"sent": 0, "failed": 0, "retrying": 0}
    with mailers.default as connection:
        return services.deliver_claimed(messages, connection=connection, is_transient=_is_transient)
