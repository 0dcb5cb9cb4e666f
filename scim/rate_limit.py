"""Per-token rate limit of the SCIM endpoint (issue 25): a fixed one-minute
window in the ``security`` cache, like the login throttles. Over the limit
the answer is 429 with ``Retry-After`` (the seconds left in the window),
which Entra ID and Okta honour by backing off."""

from __future__ import annotations

import time

from django.conf import settings

from accounts.services.throttle import security_cache

WINDOW_SECONDS = 60


def limit() -> int:
    return int(getattr(settings, "SCIM_REQUESTS_PER_MINUTE", 600))


def retry_after(*, token_id: int, now: float | None = None) -> int:
    """Count this request; 0 when it may proceed, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"scim:rate:{token_id}:{window}"
    cache = security_cache()
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= limit():
        return 0
    return max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
