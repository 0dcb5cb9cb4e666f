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
