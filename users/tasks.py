"""Celery entry points of the user administration: thin, pks only.

The tasks keep the names they had in ``accounts.tasks`` before the user
directory became its own app, so messages queued before a deploy still find
them."""

from __future__ import annotations

from celery import shared_task

from tenants.tasks import TenantTask


@shared_task(name="accounts.tasks.validate_user_import", base=TenantTask, acks_late=True)
def validate_user_import(upload_id: int, *, tenant_id: int) -> None:
    from users.services.user_imports import validate_import

    validate_import(upload_id=upload_id)


@shared_task(name="accounts.tasks.apply_user_import", base=TenantTask, acks_late=True)
def apply_user_import(upload_id: int, actor_id: int, *, tenant_id: int) -> None:
    from users.services.user_imports import apply_import

    apply_import(upload_id=upload_id, actor_id=actor_id)
