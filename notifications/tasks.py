from __future__ import annotations

from celery import shared_task

from tenants.tasks import TenantTask


@shared_task(base=TenantTask, acks_late=True)
def deliver_publication(*, delivery_id: int, tenant_id: int) -> int:
    """Mail one tenant's users for one publication (NOTIF-3); idempotent."""
    from notifications.services import notices

    return notices.deliver(delivery_id=delivery_id, tenant_id=tenant_id)


@shared_task
def sweep_deliveries() -> int:
    """Beat job: queue again the deliveries a lost broker message left pending."""
    from notifications.services import notices

    pairs = notices.stuck_deliveries()
    notices.queue_deliveries(pairs)
    return len(pairs)
