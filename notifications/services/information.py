"""The i list's read marks (HOME-3): one row when a user opens an item."""

from __future__ import annotations

from accounts.models import User
from notifications.models import InformationRead, Publication
from notifications.selectors import unread_changed_for


def mark_read(*, user: User, publication: Publication) -> None:
    """Idempotent: opening an item twice (or in two tabs) keeps one row."""
    InformationRead.objects.bulk_create(
        [InformationRead(tenant_id=user.tenant_id, user=user, publication=publication)],
        ignore_conflicts=True,
    )
    unread_changed_for(user.pk)
