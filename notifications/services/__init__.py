"""Services of the notifications chapter, one module per concern.

``outbox``: the one way to send mail (other chapters import ``send_mail``,
``send_mails``, ``render_mail`` and ``Mail`` from here, so this package keeps
re-exporting them). ``areas``: the tenant's notice areas (NOTIF-2).
``notices``: operator notices and news and their fan-out (NOTIF-3).
``information``: the i list's read marks (HOME-3).
"""

from notifications.services.outbox import (
    BULK_CHUNK,
    MAIL_LANGUAGE,
    MAX_ATTEMPTS,
    Mail,
    MailTemplate,
    base_context,
    claim,
    claim_lease,
    claim_many,
    deliver,
    deliver_claimed,
    mark_failed,
    mark_retry,
    mark_sent,
    queue_batch_delivery,
    queue_batches,
    queue_delivery,
    render_mail,
    retry_delay,
    send_mail,
    send_mails,
    stuck_after,
    stuck_message_ids,
    take_stuck,
)

__all__ = [
    "BULK_CHUNK",
    "MAIL_LANGUAGE",
    "MAX_ATTEMPTS",
    "Mail",
    "MailTemplate",
    "base_context",
    "claim",
    "claim_lease",
    "claim_many",
    "deliver",
    "deliver_claimed",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "queue_batch_delivery",
    "queue_batches",
    "queue_delivery",
    "render_mail",
    "retry_delay",
    "send_mail",
    "send_mails",
    "stuck_after",
    "stuck_message_ids",
    "take_stuck",
]
