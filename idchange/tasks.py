"""The month-boundary apply job (IDC-11), as thin Celery entry points."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from tenants.tasks import TenantTask


def _now(now: str | None) -> datetime:
    from idchange import clock

    return datetime.fromisoformat(now) if now else clock.now()


def batch_tenants(counts: list[tuple[int, int]], size: int) -> tuple[list[int], list[list[int]]]:
    """Split ``[(tenant_id, due), …]`` into tenants worth a task of their own
    (at least ``size`` due applications) and batches of small tenants
    holding about ``size`` applications each (one chunk, one transaction)."""
    own = [tenant_id for tenant_id, due in counts if due >= size]
    batches: list[list[int]] = []
    current: list[int] = []
    filled = 0
    for tenant_id, due in counts:
        if due >= size:
            continue
        if current and filled + due > size:
            batches.append(current)
            current, filled = [], 0
        current.append(tenant_id)
        filled += due
    if current:
        batches.append(current)
    return own, batches


@shared_task
def apply_due_changes(now: str | None = None) -> int:
    """Beat runs this every minute: count the due applications per tenant (a
    platform read, outside any tenant scope) and dispatch the work. A tenant
    with a chunk's worth of due applications gets a task of its own; the
    many small ones (a month boundary: a few changes in each of 1,000
    tenants) are batched, a chunk of applications of many tenants per task,
    so the fixed price of a task and a transaction is paid per 500
    applications, not per tenant. Idempotent: the work claims each row.
    Returns the number of tenants covered."""
    from django.db.models import Count

    from idchange.models import IdChangeApplication
    from idchange.services.job import APPLY_CHUNK
    from tenants.scoping import operator_scope

    at = _now(now)
    with operator_scope():
        counts = list(
            IdChangeApplication.objects.filter(
                status=IdChangeApplication.Status.PENDING, next_due_at__lte=at, hold_reason=""
            )
            .order_by("tenant_id")
            .values("tenant_id")
            .annotate(due=Count("pk"))
            .values_list("tenant_id", "due")
        )
    own, batches = batch_tenants(counts, APPLY_CHUNK)
    for tenant_id in own:
        apply_due_changes_for_tenant.delay(tenant_id=tenant_id, now=at.isoformat())
    for tenant_ids in batches:
        apply_due_changes_for_tenants.delay(tenant_ids=tenant_ids, now=at.isoformat())
    return len(counts)


@shared_task(base=TenantTask)
def apply_due_changes_for_tenant(*, tenant_id: int, now: str | None = None) -> int:
    """Apply every due application of one tenant (inside its scope), set-wise:
    a few statements and one commit per chunk of applications."""
    from idchange.services.job import apply_due_applications

    return apply_due_applications(now=_now(now))


@shared_task
def apply_due_changes_for_tenants(*, tenant_ids: list[int], now: str | None = None) -> int:
    """Apply the due applications of a batch of small tenants together: one
    claim and one statement set per chunk for all of them. A platform job
    (operator scope, like the dispatcher): the claim is limited to
    ``tenant_ids`` and every row written takes its tenant from the claimed
    application, never from a scope."""
    from idchange.services.job import apply_due_applications
    from tenants.scoping import operator_scope

    with operator_scope():
        return apply_due_applications(now=_now(now), tenant_ids=tenant_ids)
