"""The retention job (INQ-7): attachments go 6 months after resolution.

Idempotent and batched, in the manner of ``idchange/services/apply.py``: each
batch claims its inquiries with ``SKIP LOCKED`` (a second worker skips them
rather than waiting), deletes their files through the upload module, writes
one audit entry per deleted file, and marks the inquiries purged, so a rerun
finds nothing left to do.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from audit.services import record_many
from inquiries import attachments
from inquiries.models import Inquiry
from inquiries.retention import candidates_resolved_before, is_expired

BATCH = 200


def due_inquiries(now: datetime):  # noqa: ANN201  (a QuerySet of Inquiry)
    return Inquiry.objects.filter(
        status=Inquiry.Status.RESOLVED,
        attachments_purged_at__isnull=True,
        resolved_at__lte=candidates_resolved_before(now),
    )


def purge_expired_attachments(*, now: datetime) -> int:
    """Delete the due attachments of the tenant in scope; returns how many
    files went. Runs inside one tenant's scope (the per-tenant task)."""
    deleted = 0
    while True:
        with transaction.atomic():
            batch = [
                inquiry
                for inquiry in due_inquiries(now)
                .select_for_update(skip_locked=True)
                .order_by("resolved_at", "pk")[:BATCH]
            ]
            # The database bound is generous at month ends; the exact rule decides.
            expired = [i for i in batch if is_expired(i.resolved_at, now)]
            if not expired:
                return deleted
            files = attachments.delete_for_inquiries(expired)
            record_many(
                action="inquiries.attachment.deleted",
                actor=None,
                targets=files,
                data=attachments.audit_data,
            )
            Inquiry.objects.filter(pk__in=[i.pk for i in expired]).update(attachments_purged_at=now)
            deleted += len(files)
