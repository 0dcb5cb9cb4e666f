from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The logo URLs live in the cache; each test starts without them."""
    cache.clear()
    yield
    cache.clear()
