"""Thin Celery entry points of お問い合わせ (INQ-7)."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from tenants.tasks import TenantTask


def _now(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else timezone.now()


@shared_task
def purge_expired_attachments(now: str | None = None) -> int:
    """Daily (CELERY_BEAT_SCHEDULE): find the tenants with due attachments (a
    platform read, outside any tenant scope) and dispatch one task each."""
    from inquiries.purge import due_inquiries
    from tenants.scoping import operator_scope

    at = _now(now)
    with operator_scope():
        tenant_ids = list(due_inquiries(at).order_by().values_list("tenant_id", flat=True).distinct())
    for tenant_id in tenant_ids:
        purge_expired_attachments_for_tenant.delay(tenant_id=tenant_id, now=at.isoformat())
    return len(tenant_ids)


@shared_task(base=TenantTask)
def purge_expired_attachments_for_tenant(*, tenant_id: int, now: str | None = None) -> int:
    from inquiries.purge import purge_expired_attachments as purge

    return purge(now=_now(now))
