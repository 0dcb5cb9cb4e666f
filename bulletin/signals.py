"""お知らせ exists for every tenant (BBS-2) from the moment the tenant does,
so no page has to create it on a read."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from tenants.models import Tenant


@receiver(post_save, sender=Tenant, dispatch_uid="bulletin.default_category")
def create_default_category(sender: type[Tenant], instance: Tenant, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        from bulletin.services.categories import ensure_default_category

        ensure_default_category(tenant=instance)
