"""The operator-editable business-day overrides, cached (IDC-8).

``calendar`` and ``rules`` are pure and take ``overrides`` as a mapping; this
module is the one place that reads the table. The whole table is small (a
few dates a year), so it is cached as one dict and cleared whenever a row is
saved or deleted (signals in ``idchange.signals``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from django.core.cache import cache

CACHE_KEY = "idchange:business_day_overrides:v1"
CACHE_SECONDS = 60 * 60


def overrides() -> Mapping[date, bool]:
    """{date: is_open} for every override row, from the cache when warm."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        from idchange.models import BusinessDayOverride

        cached = dict(BusinessDayOverride.objects.values_list("date", "is_open"))
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return MappingProxyType(cached)


def clear_cache() -> None:
    cache.delete(CACHE_KEY)
