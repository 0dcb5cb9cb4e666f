"""The month-boundary apply job (IDC-11), as thin Celery entry points."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from tenants.tasks import TenantTask


def _now(now: str | None) -> datetime:
    from idchange import clock

    return datetime.fromisoformat(now) if now else clock.now()


@shared_task
def apply_due_changes(now: str | None = None) -> int:
    """Beat runs this every minute: find the tenants with due applications
    (a platform read, outside any tenant scope) and dispatch one task per
    tenant. Idempotent: the per-tenant task claims each row."""
    from idchange.models import IdChangeApplication
    from tenants.scoping import operator_scope

    at = _now(now)
    with operator_scope():
        tenant_ids = list(
            IdChangeApplication.objects.filter(
                status=IdChangeApplication.Status.PENDING, next_due_at__lte=at, hold_reason=""
            )
            .order_by()
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    for tenant_id in tenant_ids:
        apply_due_changes_for_tenant.delay(tenant_id=tenant_id, now=at.isoformat())
    return len(tenant_ids)


@shared_task(base=TenantTask)
def apply_due_changes_for_tenant(*, tenant_id: int, now: str | None = None) -> int:
    """Apply every due application of one tenant (inside its scope), set-wise:
    a few statements and one commit per chunk of applications."""
    from idchange.services.job import apply_due_applications

    return apply_due_applications(now=_now(now))
