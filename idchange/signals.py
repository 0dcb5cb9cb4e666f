from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from idchange import business_days
from idchange.models import BusinessDayOverride


@receiver(post_save, sender=BusinessDayOverride)
@receiver(post_delete, sender=BusinessDayOverride)
def _clear_business_day_cache(**kwargs: Any) -> None:
    # Clear now and again after commit: a reader between the two would
    # otherwise re-cache the old table until the cache expires.
    business_days.clear_cache()
    transaction.on_commit(business_days.clear_cache)


@receiver(post_save, sender="tenants.Contract")
def _give_new_contract_its_plan_line(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """Every new ID-count contract starts with one plan line and its INITIAL
    ledger row, whoever creates it (admin, seed, tests). More lines
    (Microsoft 365 options and add-ons, Google Workspace add-on tools) are
    added by operators in Django admin."""
    if not created or kwargs.get("raw"):
        return
    from django.utils import timezone

    from idchange.services.availability import is_id_change_contract
    from idchange.services.lines import add_contract_line
    from tenants.scoping import tenant_scope

    if not is_id_change_contract(instance):
        return
    # Contracts are created from admin, the seed and tests, in or out of a
    # scope; the line belongs to the contract's tenant either way.
    with tenant_scope(instance.tenant_id):
        add_contract_line(
            contract=instance,
            name=instance.plan or instance.service.name,
            count=instance.id_count or 0,
            unit_price=instance.unit_price or 0,
            now=timezone.now(),
        )
