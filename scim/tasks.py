"""Celery entry points of SCIM provisioning: thin, pks only."""

from __future__ import annotations

from celery import shared_task

from tenants.tasks import TenantTask


@shared_task(name="scim.tasks.send_setup_mail_batch", base=TenantTask, acks_late=True)
def send_setup_mail_batch(*, tenant_id: int) -> None:
    from scim.mail_batches import send_pending

    send_pending(tenant_id=tenant_id)
