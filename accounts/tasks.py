"""Celery entry points of the user administration: thin, pks only."""

from __future__ import annotations

from celery import shared_task

from tenants.tasks import TenantTask


@shared_task(base=TenantTask, acks_late=True)
def validate_user_import(upload_id: int, *, tenant_id: int) -> None:
    from accounts.services.user_imports import validate_import

    validate_import(upload_id=upload_id)


@shared_task(base=TenantTask, acks_late=True)
def apply_user_import(upload_id: int, actor_id: int, *, tenant_id: int) -> None:
    from accounts.services.user_imports import apply_import

    apply_import(upload_id=upload_id, actor_id=actor_id)
